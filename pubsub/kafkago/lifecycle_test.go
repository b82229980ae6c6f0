package kafkago_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/steward-crm/steward/pubsub/kafkago"
	"github.com/twmb/franz-go/pkg/kfake"
)

// TestPublishIsNotDelayedByBatching guards against kafka-go's 1s default
// BatchTimeout, which makes every synchronous single-message write take 1s.
func TestPublishIsNotDelayedByBatching(t *testing.T) {
	brokers := startCluster(t)
	pub, err := kafkago.NewPublisher(kafkago.PublisherConfig{Brokers: brokers, AllowAutoTopicCreation: true}, testLogger())
	if err != nil {
		t.Fatalf("new publisher: %v", err)
	}
	defer pub.Close()
	// The first publish creates the topic; time the ones after it.
	if err := pub.Publish("contacts.latency", message.NewMessage(watermill.NewUUID(), []byte("warm-up"))); err != nil {
		t.Fatalf("publish: %v", err)
	}

	start := time.Now()
	const singles = 20
	for range singles {
		if err := pub.Publish("contacts.latency", message.NewMessage(watermill.NewUUID(), []byte("x"))); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("%d single-message publishes took %s; batching is delaying them", singles, elapsed)
	}

	batch := make([]*message.Message, 5000)
	for i := range batch {
		batch[i] = message.NewMessage(watermill.NewUUID(), []byte("x"))
	}
	start = time.Now()
	if err := pub.Publish("contacts.latency", batch...); err != nil {
		t.Fatalf("publish batch: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("publishing %d messages in one call took %s", len(batch), elapsed)
	}
}

func TestPublisherCloseIsIdempotent(t *testing.T) {
	brokers := startCluster(t)
	pub, err := kafkago.NewPublisher(publisherConfig(brokers), testLogger())
	if err != nil {
		t.Fatalf("new publisher: %v", err)
	}
	closeConcurrently(t, pub.Close)
	err = pub.Publish("contacts.raw", message.NewMessage(watermill.NewUUID(), nil))
	if !errors.Is(err, kafkago.ErrPublisherClosed) {
		t.Fatalf("Publish after Close = %v, want ErrPublisherClosed", err)
	}
}

func TestSubscriberCloseIsIdempotent(t *testing.T) {
	brokers := startCluster(t)
	for _, group := range []string{"steward", ""} {
		sub, err := kafkago.NewSubscriber(subscriberConfig(brokers, group), testLogger())
		if err != nil {
			t.Fatalf("new subscriber: %v", err)
		}
		msgs, err := sub.Subscribe(context.Background(), "contacts.raw")
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		closeConcurrently(t, sub.Close)
		select {
		case _, open := <-msgs:
			if open {
				t.Fatal("received a message from an empty topic")
			}
		default:
			t.Fatal("messages channel still open after Close")
		}
		if _, err := sub.Subscribe(context.Background(), "contacts.raw"); !errors.Is(err, kafkago.ErrSubscriberClosed) {
			t.Fatalf("Subscribe after Close = %v, want ErrSubscriberClosed", err)
		}
	}
}

// TestGroupSubscriberServesSeveralTopics subscribes one consumer-group
// Subscriber to two topics; each subscription is its own group member.
func TestGroupSubscriberServesSeveralTopics(t *testing.T) {
	brokers := startCluster(t)
	sub, err := kafkago.NewSubscriber(subscriberConfig(brokers, "steward"), testLogger())
	if err != nil {
		t.Fatalf("new subscriber: %v", err)
	}
	defer sub.Close()
	for _, topic := range []string{"contacts.raw", "contacts.clean"} {
		sent := publish(t, brokers, topic, "contact-1", 3)
		msgs, err := sub.Subscribe(context.Background(), topic)
		if err != nil {
			t.Fatalf("subscribe %s: %v", topic, err)
		}
		for i, want := range sent {
			got := receive(t, msgs)
			assertMessage(t, got, want, strconv.Itoa(i))
			if got.Metadata.Get(kafkago.TopicMetadata) != topic {
				t.Errorf("topic metadata %q, want %q", got.Metadata.Get(kafkago.TopicMetadata), topic)
			}
			got.Ack()
		}
	}
}

func closeConcurrently(t *testing.T, closeFn func() error) {
	t.Helper()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := closeFn(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}
	wg.Wait()
	if err := closeFn(); err != nil {
		t.Errorf("close again: %v", err)
	}
}

// TestPublishHonoursMessageContext: with the broker away, a publish whose messages carry
// a deadline returns with an error soon after it, instead of trying each batch ten times
// (the outbox forwarder holds a transaction meanwhile).
func TestPublishHonoursMessageContext(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := kafkago.NewPublisher(kafkago.PublisherConfig{Brokers: cluster.ListenAddrs(), AllowAutoTopicCreation: true}, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if err := pub.Publish("contacts.golden", message.NewMessage(watermill.NewUUID(), []byte("warm-up"))); err != nil {
		t.Fatalf("publish: %v", err)
	}
	cluster.Close() // the broker goes away
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	msgs := make([]*message.Message, 30)
	for i := range msgs {
		msgs[i] = message.NewMessage(watermill.NewUUID(), []byte(strconv.Itoa(i)))
		msgs[i].SetContext(ctx)
	}
	start := time.Now()
	err = pub.Publish("contacts.golden", msgs...)
	if err == nil {
		t.Fatal("publish to a broker that is away: no error")
	}
	el := time.Since(start)
	t.Logf("publish returned after %s: %v", el, err)
	if el > 5*time.Second {
		t.Errorf("publish with a 500 ms deadline returned after %s", el)
	}
}

// TestPublishIgnoresCancellationWithoutDeadline: a message republished as it was consumed
// (a dead letter) carries its subscription's context, cancelled when the subscriber
// closes; it still goes out while the subscriber drains. Only a deadline bounds Publish.
func TestPublishIgnoresCancellationWithoutDeadline(t *testing.T) {
	brokers := startCluster(t)
	pub, err := kafkago.NewPublisher(publisherConfig(brokers), testLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	msg := message.NewMessage(watermill.NewUUID(), []byte("dead letter"))
	msg.SetContext(ctx)
	if err := pub.Publish("contacts.dlq", msg); err != nil {
		t.Fatalf("publish of a message whose context was cancelled: %v", err)
	}
}
