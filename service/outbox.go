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
		pending:   prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "steward", Name: "outbox_batch_pending", Help: "Outbox events found unpublished at the last poll (up to the batch size)."}),
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

// flush publishes every pending event, in order, in batches.
func (f *forwarder) flush(ctx context.Context) (int, error) {
	total := 0
	for {
		evs, err := f.store.PendingOutbox(ctx, 500)
		if err != nil {
			return total, err
		}
		f.pending.Set(float64(len(evs)))
		if len(evs) == 0 {
			return total, nil
		}
		byTopic := map[string][]*message.Message{}
		var order []string
		ids := make([]int64, 0, len(evs))
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
			ids = append(ids, e.ID)
		}
		for _, topic := range order {
			if err := f.pub.Publish(topic, byTopic[topic]...); err != nil {
				return total, fmt.Errorf("outbox: publish: %w", err)
			}
		}
		if err := f.store.MarkPublished(ctx, ids); err != nil {
			return total, err
		}
		f.published.Add(float64(len(ids)))
		total += len(ids)
	}
}
