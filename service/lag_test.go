package service

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestLagCollectorTellsABrokerAway: polls that reach the broker mark the time (and
// /readyz's broker check passes); once the broker is away the polls are counted as
// failed, the time stays, and the check fails after the staleness bound.
func TestLagCollectorTellsABrokerAway(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3), kfake.SeedTopics(3, "contacts.raw"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l := newLagCollector(c.ListenAddrs(), map[string]string{"steward.normalize": "contacts.raw"}, prometheus.NewRegistry())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); l.run(ctx, 20*time.Millisecond) }()
	defer func() { cancel(); <-done }()
	waitUntil(t, "a poll that reaches the broker", func() bool { return l.lastOK.Load() > 0 })
	// An empty topic that no one committed on has no lag (the first offsets are read:
	// without them each partition read as one message behind).
	if lag, err := l.lag(context.Background(), "steward.normalize", "contacts.raw"); err != nil || lag != 0 {
		t.Errorf("lag of an empty topic: %d, %v; want 0", lag, err)
	}
	if err := l.brokerErr(time.Minute); err != nil {
		t.Errorf("broker reached: %v", err)
	}
	c.Close() // the broker goes away
	waitUntil(t, "a failed poll", func() bool {
		var m dto.Metric
		_ = l.failures.Write(&m)
		return m.GetCounter().GetValue() >= 1
	})
	last := l.lastOK.Load()
	time.Sleep(100 * time.Millisecond)
	if l.lastOK.Load() != last {
		t.Error("the time of the last good poll moved while the broker was away")
	}
	if err := l.brokerErr(50 * time.Millisecond); err == nil {
		t.Error("broker away longer than the staleness bound: no error")
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s in 30 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLagOfAMissingTopicFails: a raw topic the brokers do not have is a failed poll,
// not a lag of 0 that marks the brokers reached (and the process ready).
func TestLagOfAMissingTopicFails(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "contacts.raw"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l := newLagCollector(c.ListenAddrs(), map[string]string{"steward.normalize": "contacts.missing"}, prometheus.NewRegistry())
	if lag, err := l.lag(context.Background(), "steward.normalize", "contacts.missing"); err == nil {
		t.Errorf("lag of a missing topic: %d, no error", lag)
	}
}

// TestLagAfterRetention: a group whose committed offset is below a partition's first
// offset (the records it had not read were deleted by retention) is behind by what the
// partition holds, not by offsets that no longer exist.
func TestLagAfterRetention(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "contacts.raw"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("contacts.raw"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range 10 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte{byte('0' + i)}}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	// The group read two records; retention then deletes the first six.
	commit := kmsg.NewPtrOffsetCommitRequest()
	commit.Group, commit.Generation = "steward.normalize", -1
	ct := kmsg.NewOffsetCommitRequestTopic()
	ct.Topic = "contacts.raw"
	meta := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr("contacts.raw")
	meta.Topics = append(meta.Topics, mt)
	mresp, err := meta.RequestWith(ctx, cl)
	if err != nil || len(mresp.Topics) != 1 {
		t.Fatalf("metadata: %v", err)
	}
	ct.TopicID = mresp.Topics[0].TopicID // v10+ names topics by id
	cp := kmsg.NewOffsetCommitRequestTopicPartition()
	cp.Offset = 2
	ct.Partitions = append(ct.Partitions, cp)
	commit.Topics = append(commit.Topics, ct)
	cresp, err := commit.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	if e := cresp.Topics[0].Partitions[0].ErrorCode; e != 0 {
		t.Fatalf("offset commit: error %d", e)
	}
	del := kmsg.NewPtrDeleteRecordsRequest()
	dt := kmsg.NewDeleteRecordsRequestTopic()
	dt.Topic = "contacts.raw"
	dp := kmsg.NewDeleteRecordsRequestTopicPartition()
	dp.Offset = 6
	dt.Partitions = append(dt.Partitions, dp)
	del.Topics = append(del.Topics, dt)
	resp, err := del.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	if e := resp.Topics[0].Partitions[0].ErrorCode; e != 0 || resp.Topics[0].Partitions[0].LowWatermark != 6 {
		t.Fatalf("delete records: error %d, low watermark %d", e, resp.Topics[0].Partitions[0].LowWatermark)
	}
	l := newLagCollector(c.ListenAddrs(), map[string]string{"steward.normalize": "contacts.raw"}, prometheus.NewRegistry())
	if lag, err := l.lag(ctx, "steward.normalize", "contacts.raw"); err != nil || lag != 4 {
		t.Errorf("lag after retention: %d, %v; want 4 (offsets 6-9)", lag, err)
	}
}
