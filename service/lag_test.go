package service

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/twmb/franz-go/pkg/kfake"
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
