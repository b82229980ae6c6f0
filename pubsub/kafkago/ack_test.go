package kafkago_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/steward-crm/steward/pubsub/kafkago"
)

// TestNackRedeliversAndCommitsOnlyAfterAck checks that a nacked message comes
// back before anything behind it, that nothing is committed while a message is
// pending, and that a new member of the group resumes at the first unacked
// message.
func TestNackRedeliversAndCommitsOnlyAfterAck(t *testing.T) {
	const topic, group = "contacts.raw", "steward"
	brokers := startCluster(t, kfake.SeedTopics(1, topic))
	sent := publish(t, brokers, topic, "contact-1", 3)
	cfg := subscriberConfig(brokers, group)

	sub1, msgs1 := subscribe(t, cfg, topic)
	first := receive(t, msgs1)
	assertMessage(t, first, sent[0], "0")
	if got := first.Metadata.Get(kafkago.KeyMetadata); got != "contact-1" {
		t.Errorf("key metadata = %q, want contact-1", got)
	}
	time.Sleep(5 * cfg.CommitInterval)
	if got := committed(t, brokers, group, topic); got >= 0 {
		t.Fatalf("offset %d committed before any Ack", got)
	}

	first.Nack()
	assertCanceled(t, first.Context(), "after Nack")
	again := receive(t, msgs1)
	assertMessage(t, again, sent[0], "0")
	again.Ack()
	assertCanceled(t, again.Context(), "after Ack")

	second := receive(t, msgs1)
	assertMessage(t, second, sent[1], "1")
	waitCommitted(t, brokers, group, topic, 1)
	// second stays unacked: Close waits DrainTimeout, then leaves it uncommitted.
	if err := sub1.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	assertCanceled(t, second.Context(), "after Close")
	if got := committed(t, brokers, group, topic); got != 1 {
		t.Fatalf("committed offset after Close = %d, want 1", got)
	}

	sub2, msgs2 := subscribe(t, cfg, topic)
	defer sub2.Close()
	resumed := receive(t, msgs2)
	assertMessage(t, resumed, sent[1], "1")
	resumed.Ack()
	last := receive(t, msgs2)
	assertMessage(t, last, sent[2], "2")
	last.Ack()
	waitCommitted(t, brokers, group, topic, 3)
}

// TestMixedAckNackDoesNotStallPartition nacks some messages of one key (some
// of them several times) and acks the rest: every message must still be
// processed once, in publish order, and the partition fully committed.
func TestMixedAckNackDoesNotStallPartition(t *testing.T) {
	const topic, group, count = "contacts.mixed", "steward", 40
	brokers := startCluster(t, kfake.SeedTopics(1, topic))
	sent := publish(t, brokers, topic, "contact-7", count)
	_, msgs := subscribe(t, subscriberConfig(brokers, group), topic)

	nacksWanted := func(i int) int { // poison-like: every third message fails twice
		switch {
		case i%3 == 0:
			return 2
		case i%2 == 1:
			return 1
		}
		return 0
	}
	deliveries := map[string]int{}
	var processed []string
	for len(processed) < count {
		msg := receive(t, msgs)
		i, err := strconv.Atoi(string(msg.Payload))
		if err != nil {
			t.Fatalf("payload %q: %v", msg.Payload, err)
		}
		deliveries[msg.UUID]++
		if deliveries[msg.UUID] <= nacksWanted(i) {
			msg.Nack()
			continue
		}
		processed = append(processed, msg.UUID)
		msg.Ack()
	}
	for i, msg := range sent {
		if processed[i] != msg.UUID {
			t.Fatalf("processed[%d] = %s, want %s (order broken)", i, processed[i], msg.UUID)
		}
		if want := nacksWanted(i) + 1; deliveries[msg.UUID] != want {
			t.Errorf("message %d delivered %d times, want %d", i, deliveries[msg.UUID], want)
		}
	}
	waitCommitted(t, brokers, group, topic, count)
}

// publish sends n messages with payloads "0".."n-1" under one key.
func publish(t *testing.T, brokers []string, topic, key string, n int) []*message.Message {
	t.Helper()
	pub, err := kafkago.NewPublisher(publisherConfig(brokers), testLogger())
	if err != nil {
		t.Fatalf("new publisher: %v", err)
	}
	defer pub.Close()
	msgs := make([]*message.Message, n)
	for i := range msgs {
		msgs[i] = message.NewMessage(watermill.NewUUID(), []byte(strconv.Itoa(i)))
		msgs[i].Metadata.Set(kafkago.KeyMetadata, key)
	}
	if err := pub.Publish(topic, msgs...); err != nil {
		t.Fatalf("publish: %v", err)
	}
	return msgs
}

func subscribe(t *testing.T, cfg kafkago.SubscriberConfig, topic string) (*kafkago.Subscriber, <-chan *message.Message) {
	t.Helper()
	sub, err := kafkago.NewSubscriber(cfg, testLogger())
	if err != nil {
		t.Fatalf("new subscriber: %v", err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	msgs, err := sub.Subscribe(context.Background(), topic)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	return sub, msgs
}

func receive(t *testing.T, msgs <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case msg, ok := <-msgs:
		if !ok {
			t.Fatal("messages channel closed")
		}
		return msg
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
	}
	return nil
}

func assertMessage(t *testing.T, got, want *message.Message, offset string) {
	t.Helper()
	if got.UUID != want.UUID || string(got.Payload) != string(want.Payload) {
		t.Fatalf("got message %s %q, want %s %q", got.UUID, got.Payload, want.UUID, want.Payload)
	}
	if o := got.Metadata.Get(kafkago.OffsetMetadata); o != offset {
		t.Fatalf("message %s at offset %s, want %s", got.UUID, o, offset)
	}
}

func assertCanceled(t *testing.T, ctx context.Context, when string) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("message context not canceled %s", when)
	}
}

// committed returns the group's committed offset of partition 0, -1 if none.
func committed(t *testing.T, brokers []string, group, topic string) int64 {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 5 * time.Second}
	resp, err := client.OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{
		GroupID: group,
		Topics:  map[string][]int{topic: {0}},
	})
	if err != nil {
		t.Fatalf("offset fetch: %v", err)
	}
	if resp.Error != nil {
		t.Fatalf("offset fetch: %v", resp.Error)
	}
	for _, p := range resp.Topics[topic] {
		if p.Partition == 0 {
			if p.Error != nil {
				t.Fatalf("offset fetch: %v", p.Error)
			}
			return p.CommittedOffset
		}
	}
	t.Fatalf("offset fetch: no partition 0 of %s", topic)
	return 0
}

func waitCommitted(t *testing.T, brokers []string, group, topic string, want int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := committed(t, brokers, group, topic)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("committed offset = %d, want %d", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStuckMessageBoundsTheWindow: with concurrent delivery, a message nacked again and
// again holds its partition's committed offset; the messages fetched after it stop at
// MaxUncommitted instead of piling up in memory without end.
func TestStuckMessageBoundsTheWindow(t *testing.T) {
	const topic, group, count, window = "contacts.stuck", "steward", 300, 20
	brokers := startCluster(t, kfake.SeedTopics(1, topic))
	pub, err := kafkago.NewPublisher(publisherConfig(brokers), testLogger())
	if err != nil {
		t.Fatal(err)
	}
	batch := make([]*message.Message, count)
	for i := range batch {
		batch[i] = message.NewMessage(watermill.NewUUID(), []byte(strconv.Itoa(i)))
		batch[i].Metadata.Set(kafkago.KeyMetadata, "key-"+strconv.Itoa(i))
	}
	if err := pub.Publish(topic, batch...); err != nil {
		t.Fatal(err)
	}
	pub.Close()
	cfg := subscriberConfig(brokers, group)
	cfg.PartitionConcurrency, cfg.MaxUncommitted = 4, window
	_, msgs := subscribe(t, cfg, topic)
	acked := map[string]bool{}
	deadline := time.After(3 * time.Second)
	for done := false; !done; {
		select {
		case msg := <-msgs:
			if string(msg.Payload) == "0" {
				msg.Nack() // stuck: never acked
				continue
			}
			acked[msg.UUID] = true
			msg.Ack()
		case <-deadline:
			done = true
		}
	}
	if len(acked) > window-1 || len(acked) < window/2 {
		t.Errorf("%d messages acked behind the stuck one, want up to MaxUncommitted-1 = %d", len(acked), window-1)
	}
}
