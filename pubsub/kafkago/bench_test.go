package kafkago_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/steward-crm/steward/pubsub/kafkago"
)

// BenchmarkConsumeAck measures consumer-group throughput with batched commits:
// b.N messages over 4 partitions, each acked as soon as it arrives.
func BenchmarkConsumeAck(b *testing.B) {
	const topic = "contacts.bench"
	brokers := startCluster(b, kfake.SeedTopics(testPartitions, topic))
	pub, err := kafkago.NewPublisher(publisherConfig(brokers), testLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	batch := make([]*message.Message, 0, 1000)
	for i := range b.N {
		msg := message.NewMessage(watermill.NewUUID(), []byte("x"))
		msg.Metadata.Set(kafkago.KeyMetadata, strconv.Itoa(i%64))
		batch = append(batch, msg)
		if len(batch) == cap(batch) || i == b.N-1 {
			if err := pub.Publish(topic, batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}

	sub, err := kafkago.NewSubscriber(subscriberConfig(brokers, "bench"), testLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	b.ResetTimer()
	start := time.Now()
	msgs, err := sub.Subscribe(context.Background(), topic)
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		(<-msgs).Ack()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msg/s")
}
