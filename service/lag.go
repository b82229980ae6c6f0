package service

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// lagCollector measures consumer lag per handler group and topic: the sum over
// partitions of (last offset − committed offset), polled every few seconds.
type lagCollector struct {
	client *kafka.Client
	groups map[string]string // group → topic
	gauge  *prometheus.GaugeVec
}

func newLagCollector(brokers []string, groups map[string]string, reg prometheus.Registerer) *lagCollector {
	l := &lagCollector{
		client: &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 5 * time.Second},
		groups: groups,
		gauge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "steward", Name: "consumer_lag_messages",
			Help: "Messages not yet committed by a handler's consumer group, per topic.",
		}, []string{"group", "topic"}),
	}
	reg.MustRegister(l.gauge)
	return l
}

func (l *lagCollector) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for g, topic := range l.groups {
			if lag, err := l.lag(ctx, g, topic); err == nil {
				l.gauge.WithLabelValues(g, topic).Set(float64(lag))
			}
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
	if err != nil || len(meta.Topics) == 0 {
		return 0, err
	}
	var parts []int
	var offs []kafka.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		parts = append(parts, p.ID)
		offs = append(offs, kafka.LastOffsetOf(p.ID))
	}
	last, err := l.client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: offs}})
	if err != nil {
		return 0, err
	}
	committed, err := l.client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
	if err != nil {
		return 0, err
	}
	done := map[int]int64{}
	for _, p := range committed.Topics[topic] {
		done[p.Partition] = p.CommittedOffset
	}
	var lag int64
	for _, p := range last.Topics[topic] {
		c := done[p.Partition]
		if c < 0 {
			c = p.FirstOffset
		}
		if d := p.LastOffset - c; d > 0 {
			lag += d
		}
	}
	return lag, nil
}
