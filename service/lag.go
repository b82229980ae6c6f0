package service

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// lagCollector measures consumer lag per handler group and topic: the sum over
// partitions of (last offset − committed offset), polled every few seconds. A poll that
// fails leaves the gauge as it was; the time of the last poll that reached the broker
// (steward_consumer_lag_polled_timestamp_seconds, and /readyz) tells a frozen gauge from
// a steady one.
type lagCollector struct {
	client   *kafka.Client
	groups   map[string]string // group → topic
	gauge    *prometheus.GaugeVec
	polled   prometheus.Gauge
	failures prometheus.Counter
	lastOK   atomic.Int64 // unix nanoseconds of the last poll that succeeded for every group
	started  time.Time
}

func newLagCollector(brokers []string, groups map[string]string, reg prometheus.Registerer) *lagCollector {
	l := &lagCollector{
		client: &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 5 * time.Second},
		groups: groups,
		gauge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "steward", Name: "consumer_lag_messages",
			Help: "Messages not yet committed by a handler's consumer group, per topic.",
		}, []string{"group", "topic"}),
		polled: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "steward", Name: "consumer_lag_polled_timestamp_seconds",
			Help: "When the consumer lag was last read from the brokers (a stale value: the brokers are not reached)."}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "steward", Name: "consumer_lag_poll_failures_total",
			Help: "Consumer lag polls that failed (the gauge keeps its last value)."}),
		started: time.Now(),
	}
	reg.MustRegister(l.gauge, l.polled, l.failures)
	return l
}

// brokerErr reports, for /readyz, brokers no lag poll has reached yet, or not for longer
// than stale.
func (l *lagCollector) brokerErr(stale time.Duration) error {
	ns := l.lastOK.Load()
	if ns == 0 {
		return fmt.Errorf("kafka: brokers not reached yet (for %s)", time.Since(l.started).Round(time.Second))
	}
	if age := time.Since(time.Unix(0, ns)); age > stale {
		return fmt.Errorf("kafka: brokers not reached for %s", age.Round(time.Second))
	}
	return nil
}

func (l *lagCollector) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		ok := true
		for g, topic := range l.groups {
			lag, err := l.lag(ctx, g, topic)
			if err != nil {
				ok = false
				continue
			}
			l.gauge.WithLabelValues(g, topic).Set(float64(lag))
		}
		if ok {
			now := time.Now()
			l.lastOK.Store(now.UnixNano())
			l.polled.Set(float64(now.UnixNano()) / 1e9)
		} else {
			l.failures.Inc()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// lag returns the group's total lag on topic.
func (l *lagCollector) lag(ctx context.Context, group, topic string) (int64, error) {
	meta, err := l.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	switch {
	case err != nil:
		return 0, err
	case len(meta.Topics) == 0:
		// A lag of 0 and a successful poll would say all is well (and ready).
		return 0, fmt.Errorf("topic %s: not in the brokers' metadata", topic)
	case meta.Topics[0].Error != nil:
		return 0, fmt.Errorf("topic %s: %w", topic, meta.Topics[0].Error)
	}
	var parts []int
	var offs []kafka.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		parts = append(parts, p.ID)
		offs = append(offs, kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
	}
	last, err := l.client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: offs}})
	if err != nil {
		return 0, err
	}
	committed, err := l.client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
	if err != nil {
		return 0, err
	}
	// Errors inside the responses, per partition: a partition's offsets unknown (a
	// broker restarting) would read as the whole topic's lag.
	// A group that never committed (not found) has nothing committed: its lag is the
	// whole topic.
	if committed.Error != nil && !errors.Is(committed.Error, kafka.GroupIdNotFound) {
		return 0, committed.Error
	}
	done := map[int]int64{}
	for _, p := range committed.Topics[topic] {
		if p.Error != nil && !errors.Is(p.Error, kafka.GroupIdNotFound) {
			return 0, p.Error
		}
		if p.Error == nil {
			done[p.Partition] = p.CommittedOffset
		}
	}
	var lag int64
	for _, p := range last.Topics[topic] {
		if p.Error != nil {
			return 0, p.Error
		}
		// Below the partition's first offset (none committed, or the records not read
		// were deleted by retention) the group is behind by what the partition holds.
		c, ok := done[p.Partition]
		if !ok || c < p.FirstOffset {
			c = p.FirstOffset
		}
		if d := p.LastOffset - c; d > 0 {
			lag += d
		}
	}
	return lag, nil
}
