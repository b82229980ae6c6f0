package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/steward-crm/steward/handlers"
	"github.com/steward-crm/steward/pubsub/kafkago"
	"github.com/steward-crm/steward/warehouse"
)

// forwarder publishes outbox events (written in the same transaction as the change they
// describe) after commit, then marks them published. Delivery is at least once: a crash
// between publish and mark republishes; events carry master_id and version so that
// consumers can drop duplicates.
//
// Published events are deleted once older than the retention, at most once a minute
// (pruneEvery), a batch at a time: the outbox stays the size of the retention's events.
type forwarder struct {
	store     warehouse.Store
	pub       message.Publisher
	topic     string // overrides the event's topic when set (configured golden topic)
	maxBytes  int    // an event larger (payload and key) is given up, not sent; 0: no bound
	interval  time.Duration
	retention time.Duration // <= 0: published events are kept (kafka.outbox_retention is never 0)
	lastPrune time.Time
	failing   bool // the last poll failed
	// bounded: the stop's flush is bounded and its failure only logged (steward run).
	bounded   bool
	published prometheus.Counter
	givenUp   prometheus.Counter
	pruned    prometheus.Counter
	failures  *prometheus.CounterVec
	pending   prometheus.Gauge
	log       *slog.Logger
}

// pruneEvery is how often a forwarder deletes the published events past the retention,
// and pruneBatch how many at most per statement. publishTimeout bounds the publish of one
// batch (the outbox's transaction is held meanwhile: on SQLite, the only writer
// connection), finalFlushTimeout the flush of a stopping process: what is left stays in
// the outbox for the next one.
const (
	pruneEvery        = time.Minute
	pruneBatch        = 5000
	publishTimeout    = 20 * time.Second
	finalFlushTimeout = 10 * time.Second
)

func newForwarder(store warehouse.Store, pub message.Publisher, topic string, interval, retention time.Duration, reg prometheus.Registerer, log *slog.Logger) *forwarder {
	f := &forwarder{store: store, pub: pub, topic: topic, interval: interval, retention: retention, log: log,
		failures:  prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "steward", Name: "outbox_poll_failures_total", Help: "Outbox polls that failed, by step: publish (the broker or the database away) or prune (deleting published events past the retention); the next poll tries again."}, []string{"step"}),
		published: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "steward", Name: "outbox_published_total", Help: "Golden-record change events published from the outbox."}),
		givenUp:   prometheus.NewCounter(prometheus.CounterOpts{Namespace: "steward", Name: "outbox_given_up_total", Help: "Golden-record change events given up (too large for the golden topic): marked published without going out, and stored as dead letters (stage outbox)."}),
		pruned:    prometheus.NewCounter(prometheus.CounterOpts{Namespace: "steward", Name: "outbox_pruned_total", Help: "Published outbox events deleted after the retention (kafka.outbox_retention)."}),
		pending:   prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "steward", Name: "outbox_poll_forwarded", Help: "Outbox events the last poll forwarded, in batches of up to 500 (one poll forwarding thousands: the outbox is behind)."}),
	}
	// Both steps' series exist from the start: a series that first appears at 1 shows
	// no increase in Prometheus.
	f.failures.WithLabelValues("publish")
	f.failures.WithLabelValues("prune")
	if reg != nil {
		reg.MustRegister(f.published, f.givenUp, f.pruned, f.failures, f.pending)
	}
	return f
}

// prune deletes the events published before now - retention, when pruneEvery has
// passed since the last time, and returns how many.
func (f *forwarder) prune(ctx context.Context, now time.Time) (int, error) {
	if f.retention <= 0 || now.Sub(f.lastPrune) < pruneEvery {
		return 0, nil
	}
	f.lastPrune = now
	total := 0
	for {
		n, err := f.store.PruneOutbox(ctx, now.Add(-f.retention), pruneBatch)
		f.pruned.Add(float64(n))
		total += n
		if err != nil || n < pruneBatch || ctx.Err() != nil {
			return total, err
		}
	}
}

// run polls until ctx ends, then flushes what is left. A poll that fails (the broker or
// the database unreachable a while) is logged and counted, and the next poll tries again:
// the events wait in the outbox meanwhile. Only the last flush's error is returned.
//
// A poll runs to its end whatever ctx says: a batch published and then not marked
// (its transaction rolled back by a cancellation) would be published again by the final
// flush. The stop is seen between polls.
func (f *forwarder) run(ctx context.Context) error {
	t := time.NewTicker(f.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return f.finalFlush(ctx)
		case <-t.C:
			if _, err := f.flush(context.WithoutCancel(ctx), ctx.Done()); err != nil {
				f.failed("publish", err)
				continue
			}
			if ctx.Err() != nil {
				// A flush cut short by the stop says nothing of the broker: it must
				// not end a series of failed polls (the final flush would try it).
				return f.finalFlush(ctx)
			}
			if _, err := f.prune(ctx, time.Now()); err != nil && ctx.Err() == nil {
				f.failed("prune", err)
				continue
			}
			if f.failing {
				f.failing = false
				f.log.Info("outbox: polls succeed again")
			}
		}
	}
}

// finalFlush publishes what is left when the forwarder stops. A forwarder to a broker
// (bounded) flushes for at most finalFlushTimeout, and not at all when the last poll
// failed (the broker is most likely still away): the events stay in the outbox for the
// next process, so a stop is never held up nor failed by them. An ingest's forwarder to
// its events file flushes everything, and fails the run if it cannot.
func (f *forwarder) finalFlush(ctx context.Context) error {
	fctx := context.WithoutCancel(ctx)
	if f.bounded {
		if f.failing {
			f.log.Warn("outbox: not flushed at stop (the last poll failed); the events wait for the next run")
			return nil
		}
		var cancel context.CancelFunc
		fctx, cancel = context.WithTimeout(fctx, finalFlushTimeout)
		defer cancel()
	}
	_, err := f.flush(fctx, nil)
	if err != nil && f.bounded {
		f.log.Warn("outbox: flush at stop failed; the events wait for the next run", "error", err)
		return nil
	}
	return err
}

// failed counts a poll that failed and logs the first of a series (a broker away for
// minutes would otherwise log five lines a second).
func (f *forwarder) failed(what string, err error) {
	f.failures.WithLabelValues(what).Inc()
	if !f.failing {
		f.failing = true
		f.log.Warn("outbox: poll failed; trying again at each poll (steward_outbox_poll_failures_total counts them)", "step", what, "error", err)
	}
}

// flush publishes every pending event, in order, in batches. Each batch is claimed,
// published and marked in one transaction that one process at a time holds
// (Store.ForwardOutbox): several steward processes share one outbox without publishing
// an event twice. A process that finds the outbox claimed stops for this poll.
//
// Each batch is published and marked whatever happens to stop; flush returns between
// batches once stop is closed (nil: never), leaving the rest to the final flush.
func (f *forwarder) flush(ctx context.Context, stop <-chan struct{}) (int, error) {
	total := 0
	// The poll's count (the last batch's was always 0, the one that ends the loop).
	defer func() { f.pending.Set(float64(total)) }()
	for {
		select {
		case <-stop:
			return total, nil
		default:
		}
		gaveUp := 0
		n, err := f.store.ForwardOutbox(ctx, 500, func(evs []warehouse.OutboxEvent) error {
			err := f.publish(ctx, evs)
			var p *warehouse.PartialPublish
			if gaveUp = 0; errors.As(err, &p) {
				gaveUp = len(p.GiveUp)
			}
			return err
		})
		// A publish that failed on some events marked the others (n), the events given
		// up among them (none when the transaction did not commit: n is 0).
		gaveUp = min(gaveUp, n)
		f.published.Add(float64(n - gaveUp))
		f.givenUp.Add(float64(gaveUp))
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// publish sends a batch of outbox events, grouped by topic in order of appearance.
// A batch's publish ends at publishTimeout or with ctx (the flush's: a stop bounds it),
// whichever comes first.
//
// When the broker writes some of a topic's messages and refuses others (kafka-go's
// WriteErrors: one message too large for the topic, a partition without its leader), the
// events written are reported done (warehouse.PartialPublish) and marked published, so
// that they are not published again at every poll; an event the broker refuses as too
// large, or larger than maxBytes before it is sent, will never go out: it is given up
// and stored as a dead letter. An event of a key after one of that key that did not go
// out is not reported done (it goes out again after it: the key's events stay in order).
func (f *forwarder) publish(ctx context.Context, evs []warehouse.OutboxEvent) error {
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	type group struct {
		msgs []*message.Message
		evs  []*warehouse.OutboxEvent
	}
	byTopic := map[string]*group{}
	var order []string
	giveUp := map[int64]string{}
	for i := range evs {
		e := &evs[i]
		if n := len(e.Payload) + len(e.Key); f.maxBytes > 0 && n > f.maxBytes {
			giveUp[e.ID] = fmt.Sprintf("change event of %d bytes: over the %d bytes a message steward publishes may take", n, f.maxBytes)
			continue
		}
		topic := e.Topic
		if f.topic != "" {
			topic = f.topic
		}
		msg := message.NewMessage(watermill.NewUUID(), []byte(e.Payload))
		msg.SetContext(ctx)
		msg.Metadata.Set(handlers.KeyMetadata, e.Key)
		msg.Metadata.Set("outbox_id", fmt.Sprint(e.ID))
		g := byTopic[topic]
		if g == nil {
			g = &group{}
			byTopic[topic] = g
			order = append(order, topic)
		}
		g.msgs, g.evs = append(g.msgs, msg), append(g.evs, e)
	}
	sent := map[int64]bool{} // written by the broker
	var failed error
	for _, topic := range order {
		g := byTopic[topic]
		err := f.pub.Publish(topic, g.msgs...)
		if err == nil {
			for _, e := range g.evs {
				sent[e.ID] = true
			}
			continue
		}
		var werrs kafka.WriteErrors
		if !errors.As(err, &werrs) || len(werrs) != len(g.msgs) {
			// None of the topic's known to be written.
			failed = cmp.Or(failed, error(fmt.Errorf("outbox: publish: %w", err)))
			continue
		}
		for i, e := range g.evs {
			switch {
			case werrs[i] == nil:
				sent[e.ID] = true
			case kafkago.IsTooLarge(werrs[i]):
				giveUp[e.ID] = fmt.Sprintf("change event of %d bytes refused by the broker as too large for topic %s: %v", len(e.Payload), topic, werrs[i])
			default:
				failed = cmp.Or(failed, error(fmt.Errorf("outbox: publish to %s: %w", topic, werrs[i])))
			}
		}
	}
	if failed == nil && len(giveUp) == 0 {
		return nil
	}
	// Done in order per key: after an event of a key that is neither written nor given
	// up, the key's later events wait for it.
	p := &warehouse.PartialPublish{GiveUp: giveUp, Err: failed}
	held := map[string]bool{}
	for _, e := range evs {
		switch {
		case giveUp[e.ID] != "":
			f.log.Warn("outbox: change event given up (stored as a dead letter, stage outbox)", "outbox_id", e.ID, "key", e.Key, "reason", giveUp[e.ID])
		case held[e.Key] || !sent[e.ID]:
			held[e.Key] = true
		default:
			p.Done = append(p.Done, e.ID)
		}
	}
	return p
}
