package handlers

import (
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the pipeline's Prometheus metrics. Create them with NewMetrics, add
// Metrics.Middleware to the router (outermost) and publish through Metrics.Publisher.
type Metrics struct {
	consumed        *prometheus.CounterVec
	processed       *prometheus.CounterVec
	duration        *prometheus.HistogramVec
	publishFailures *prometheus.CounterVec
	// Outcomes counts resolution outcomes by action (new_master, linked, ...).
	Outcomes *prometheus.CounterVec
	// BatchSize observes the records per resolve transaction (resolve.Batcher.OnBatch).
	BatchSize prometheus.Histogram
	// Prefetched counts the new records of pipelined batches (SQLite) by use: scored
	// before their transaction and used (reused), or read and scored again in it
	// (reread) (resolve.Batcher.OnPrefetch).
	Prefetched *prometheus.CounterVec
}

// NewMetrics registers the metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		consumed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "steward", Name: "messages_consumed_total",
			Help: "Messages a handler received (redeliveries included).",
		}, []string{"handler"}),
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "steward", Name: "messages_processed_total",
			Help: "Messages a handler finished, by result: ok, dead_lettered (acked, sent to the DLQ) or error (nacked, redelivered: the handler failed or its outputs were not published).",
		}, []string{"handler", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "steward", Name: "handler_duration_seconds",
			Help:    "Time a handler took per message, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 12),
		}, []string{"handler"}),
		publishFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "steward", Name: "publish_failures_total",
			Help: "Publishes that failed, by topic: a handler's outputs (the message is retried, then nacked and redelivered; refused for their size, dead-lettered), a dead letter, a batch of outbox events (retried at the next poll).",
		}, []string{"topic"}),
		Outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "steward", Name: "resolve_outcomes_total",
			Help: "Records resolved, by action: new_master, linked, updated, unchanged, stale, withdrawn.",
		}, []string{"action"}),
		BatchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "steward", Name: "resolve_batch_records",
			Help:    "Records written per resolve transaction (records handled concurrently share one).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512},
		}),
		Prefetched: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "steward", Name: "resolve_prefetched_records_total",
			Help: "New records of pipelined resolve batches (SQLite), by use: reused (scored while the batch before was written) or reread (their keys or candidates changed meanwhile, or nothing was prepared).",
		}, []string{"use"}),
	}
	reg.MustRegister(m.consumed, m.processed, m.duration, m.publishFailures, m.Outcomes, m.BatchSize, m.Prefetched)
	return m
}

// Middleware measures every message of every handler. steward's handlers produce no
// messages for the router to publish (those with outputs publish them themselves:
// publishOutputs), so a message's result is known when its handler returns.
func (m *Metrics) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		name := message.HandlerNameFromCtx(msg.Context())
		m.consumed.WithLabelValues(name).Inc()
		start := time.Now()
		out, err := h(msg)
		m.duration.WithLabelValues(name).Observe(time.Since(start).Seconds())
		result := "ok"
		switch {
		case err != nil:
			result = "error"
		case msg.Metadata.Get(middleware.ReasonForPoisonedKey) != "" &&
			msg.Metadata.Get(middleware.PoisonedHandlerKey) == name:
			// Poisoned by this handler; a DLQ message carries the header of the handler
			// that poisoned it (the dead_letters handler storing it is "ok").
			result = "dead_lettered"
		}
		m.processed.WithLabelValues(name, result).Inc()
		return out, err
	}
}

// Publisher returns pub counting its failed publishes by topic (safe for concurrent use
// if pub is); Close closes pub. The
// series of topics are created at 0: a series that first appears at 1 shows no increase
// in Prometheus, and the first failure would go unseen.
func (m *Metrics) Publisher(pub message.Publisher, topics ...string) message.Publisher {
	for _, t := range topics {
		m.publishFailures.WithLabelValues(t)
	}
	return countingPublisher{pub, m.publishFailures}
}

type countingPublisher struct {
	message.Publisher
	failures *prometheus.CounterVec
}

// Publish implements message.Publisher.
func (p countingPublisher) Publish(topic string, msgs ...*message.Message) error {
	err := p.Publisher.Publish(topic, msgs...)
	if err != nil {
		p.failures.WithLabelValues(topic).Inc()
	}
	return err
}
