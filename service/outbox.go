package service

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/steward-crm/steward/handlers"
	"github.com/steward-crm/steward/warehouse"
)

// forwarder publishes outbox events (written in the same transaction as the change they
// describe) after commit, then marks them published. Delivery is at least once: a crash
// between publish and mark republishes; events carry master_id and version so that
// consumers can drop duplicates.
type forwarder struct {
	store     warehouse.Store
	pub       message.Publisher
	topic     string // overrides the event's topic when set (configured golden topic)
	interval  time.Duration
	published prometheus.Counter
	pending   prometheus.Gauge
}

func newForwarder(store warehouse.Store, pub message.Publisher, topic string, interval time.Duration, reg prometheus.Registerer) *forwarder {
	f := &forwarder{store: store, pub: pub, topic: topic, interval: interval,
		published: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "steward", Name: "outbox_published_total", Help: "Golden-record change events published from the outbox."}),
		pending:   prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "steward", Name: "outbox_batch_pending", Help: "Outbox events forwarded by the last batch of the last poll (up to 500)."}),
	}
	if reg != nil {
		reg.MustRegister(f.published, f.pending)
	}
	return f
}

// run polls until ctx ends, then flushes what is left.
func (f *forwarder) run(ctx context.Context) error {
	t := time.NewTicker(f.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_, err := f.flush(context.WithoutCancel(ctx))
			return err
		case <-t.C:
			if _, err := f.flush(ctx); err != nil && ctx.Err() == nil {
				return err
			}
		}
	}
}

// flush publishes every pending event, in order, in batches. Each batch is claimed,
// published and marked in one transaction that one process at a time holds
// (Store.ForwardOutbox): several steward processes share one outbox without publishing
// an event twice. A process that finds the outbox claimed stops for this poll.
func (f *forwarder) flush(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := f.store.ForwardOutbox(ctx, 500, f.publish)
		f.pending.Set(float64(n))
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, nil
		}
		f.published.Add(float64(n))
		total += n
	}
}

// publish sends a batch of outbox events, grouped by topic in order of appearance.
func (f *forwarder) publish(evs []warehouse.OutboxEvent) error {
	byTopic := map[string][]*message.Message{}
	var order []string
	for _, e := range evs {
		topic := e.Topic
		if f.topic != "" {
			topic = f.topic
		}
		msg := message.NewMessage(watermill.NewUUID(), []byte(e.Payload))
		msg.Metadata.Set(handlers.KeyMetadata, e.Key)
		msg.Metadata.Set("outbox_id", fmt.Sprint(e.ID))
		if _, ok := byTopic[topic]; !ok {
			order = append(order, topic)
		}
		byTopic[topic] = append(byTopic[topic], msg)
	}
	for _, topic := range order {
		if err := f.pub.Publish(topic, byTopic[topic]...); err != nil {
			return fmt.Errorf("outbox: publish: %w", err)
		}
	}
	return nil
}
