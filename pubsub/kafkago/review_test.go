package kafkago_test

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/twmb/franz-go/pkg/kfake"
)

// TestRebalanceDrainWithinDrainTimeoutKeepsPartition: kafka-go stops heartbeating
// as soon as a generation ends, so a member draining an in-flight message during a
// rebalance is evicted once SessionTimeout passes without a heartbeat. A config
// whose DrainTimeout outlives the session is accepted, and then a message still in
// a handler's hands (acked within DrainTimeout) is handed to another member
// meanwhile, and its ack is lost. Either such a config is refused, or the message
// must not reach the other member before the first one acks it.
func TestRebalanceDrainWithinDrainTimeoutKeepsPartition(t *testing.T) {
	const topic, group = "contacts.drain", "steward"
	brokers := startCluster(t, kfake.SeedTopics(1, topic), kfake.GroupMinSessionTimeout(500*time.Millisecond))
	sent := publish(t, brokers, topic, "contact-1", 2)
	cfg := subscriberConfig(brokers, group)
	cfg.SessionTimeout = time.Second
	cfg.DrainTimeout = 3 * time.Second
	cfg.RebalanceTimeout = 6 * time.Second
	if err := cfg.Validate(); err != nil {
		t.Logf("config refused, as it should be: %v", err)
		return
	}

	_, msgsA := subscribe(t, cfg, topic)
	held := receive(t, msgsA) // in the handler's hands across the rebalance
	assertMessage(t, held, sent[0], "0")

	_, msgsB := subscribe(t, cfg, topic) // joins: rebalance, A drains held
	start := time.Now()
	ackAt := time.After(2 * time.Second) // within DrainTimeout
	timeout := time.After(15 * time.Second)
	acked := false
	for {
		var msg *message.Message
		select {
		case msg = <-msgsA:
		case msg = <-msgsB:
		case <-ackAt:
			held.Ack()
			acked = true
			continue
		case <-timeout:
			t.Fatal("message 1 not delivered within 15s")
		}
		if msg.UUID == held.UUID {
			t.Fatalf("message 0 delivered again %s after the rebalance began (acked by its first handler: %v; DrainTimeout %s)",
				time.Since(start).Round(100*time.Millisecond), acked, cfg.DrainTimeout)
		}
		msg.Ack()
		if msg.UUID == sent[1].UUID {
			return // resumed after the drained message: correct
		}
	}
}

// TestRedeliveryAfterNackHasOriginalPayload: a handler that changes the payload in
// place and nacks gets the record back as Kafka holds it, not its own edit.
func TestRedeliveryAfterNackHasOriginalPayload(t *testing.T) {
	const topic = "contacts.payload"
	brokers := startCluster(t, kfake.SeedTopics(1, topic))
	publish(t, brokers, topic, "contact-1", 1) // payload "0"
	_, msgs := subscribe(t, subscriberConfig(brokers, "steward"), topic)
	first := receive(t, msgs)
	first.Payload[0] = 'X' // e.g. an in-place normalisation that then failed
	first.Nack()
	again := receive(t, msgs)
	if string(again.Payload) != "0" {
		t.Fatalf("redelivered payload %q, want %q (the record as stored)", again.Payload, "0")
	}
	again.Ack()
}
