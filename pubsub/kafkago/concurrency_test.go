package kafkago_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/steward-crm/steward/pubsub/kafkago"
)

// TestPartitionConcurrency delivers one partition's messages, 10 keys interleaved, with
// PartitionConcurrency 8 to handlers that take a random time and nack some messages once:
// several messages are in flight at once, each key's messages are processed in publish
// order, a nacked message holds back only its own key, and every offset is committed.
func TestPartitionConcurrency(t *testing.T) {
	const topic, group, keys, count = "contacts.concurrent", "steward", 10, 200
	brokers := startCluster(t, kfake.SeedTopics(1, topic))
	publishKeyed(t, brokers, topic, count, keys)
	cfg := subscriberConfig(brokers, group)
	cfg.PartitionConcurrency = 8
	_, msgs := subscribe(t, cfg, topic)

	var mu sync.Mutex
	inFlight, most := 0, 0
	processed := map[string][]int{} // per key, payloads in processing order
	nacked := map[string]bool{}
	done := make(chan struct{})
	total := 0
	go func() {
		for msg := range msgs {
			go func(msg *message.Message) {
				mu.Lock()
				inFlight++
				most = max(most, inFlight)
				mu.Unlock()
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
				i, _ := strconv.Atoi(string(msg.Payload))
				key := msg.Metadata.Get(kafkago.KeyMetadata)
				mu.Lock()
				defer mu.Unlock()
				inFlight--
				if i%7 == 0 && !nacked[msg.UUID] {
					nacked[msg.UUID] = true
					msg.Nack()
					return
				}
				processed[key] = append(processed[key], i)
				total++
				msg.Ack()
				if total == count {
					close(done)
				}
			}(msg)
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("only %d of %d messages processed", total, count)
	}
	mu.Lock()
	defer mu.Unlock()
	if most < 2 {
		t.Errorf("at most %d message in flight: the partition was not consumed concurrently", most)
	}
	for k := range keys {
		key := fmt.Sprint("contact-", k)
		got := processed[key]
		if len(got) != count/keys {
			t.Errorf("%s: %d messages processed, want %d", key, len(got), count/keys)
		}
		for j := 1; j < len(got); j++ {
			if got[j] < got[j-1] {
				t.Errorf("%s processed out of order: %v", key, got)
				break
			}
		}
	}
	waitCommitted(t, brokers, group, topic, count)
}

// TestPartitionConcurrencyCommitsOnlyAcked leaves one message unacked while later ones
// (other keys) are acked: the committed offset stops before it, and a new member of the
// group gets it (and what follows) again.
func TestPartitionConcurrencyCommitsOnlyAcked(t *testing.T) {
	const topic, group = "contacts.holdback", "steward"
	brokers := startCluster(t, kfake.SeedTopics(1, topic))
	publishKeyed(t, brokers, topic, 6, 6)
	cfg := subscriberConfig(brokers, group)
	cfg.PartitionConcurrency = 4
	sub1, msgs1 := subscribe(t, cfg, topic)
	var held *message.Message
	for range 6 {
		msg := receive(t, msgs1)
		if string(msg.Payload) == "2" {
			held = msg // neither acked nor nacked
			continue
		}
		msg.Ack()
	}
	waitCommitted(t, brokers, group, topic, 2)
	time.Sleep(5 * cfg.CommitInterval)
	if got := committed(t, brokers, group, topic); got != 2 {
		t.Fatalf("committed %d while message 2 is pending, want 2", got)
	}
	if err := sub1.Close(); err != nil {
		t.Fatal(err)
	}
	assertCanceled(t, held.Context(), "after Close")

	sub2, msgs2 := subscribe(t, cfg, topic)
	defer sub2.Close()
	var again []string
	for range 4 {
		msg := receive(t, msgs2)
		again = append(again, string(msg.Payload))
		msg.Ack()
	}
	if !slices.Contains(again, "2") {
		t.Errorf("redelivered %v, want message 2 among them", again)
	}
	waitCommitted(t, brokers, group, topic, 6)
}

// publishKeyed publishes n messages with payloads "0".."n-1", message i under key
// "contact-<i mod keys>".
func publishKeyed(t *testing.T, brokers []string, topic string, n, keys int) {
	t.Helper()
	pub, err := kafkago.NewPublisher(publisherConfig(brokers), testLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	var sent []*message.Message
	for i := range n {
		m := message.NewMessage(watermill.NewUUID(), []byte(strconv.Itoa(i)))
		m.Metadata.Set(kafkago.KeyMetadata, fmt.Sprint("contact-", i%keys))
		sent = append(sent, m)
	}
	if err := pub.Publish(topic, sent...); err != nil {
		t.Fatal(err)
	}
}
