package kafkago_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/steward-crm/steward/pubsub/kafkago"
)

// Example_publishSubscribe publishes a contact record keyed by its contact ID
// and consumes it as a member of the "steward" consumer group. An in-process
// broker stands in for the Kafka cluster.
func Example_publishSubscribe() {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, "contacts.raw"))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()

	pub, err := kafkago.NewPublisher(kafkago.PublisherConfig{Brokers: brokers}, watermill.NopLogger{})
	if err != nil {
		log.Fatal(err)
	}
	defer pub.Close()

	record := message.NewMessage(watermill.NewUUID(), []byte(`{"id":"c-42","email":"ada@example.org"}`))
	record.Metadata.Set(kafkago.KeyMetadata, "c-42") // all versions of c-42 stay in order
	if err := pub.Publish("contacts.raw", record); err != nil {
		log.Fatal(err)
	}

	sub, err := kafkago.NewSubscriber(kafkago.SubscriberConfig{
		Brokers:       brokers,
		ConsumerGroup: "steward",
	}, watermill.NopLogger{})
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close()

	messages, err := sub.Subscribe(context.Background(), "contacts.raw")
	if err != nil {
		log.Fatal(err)
	}
	msg := <-messages
	fmt.Println(msg.UUID == record.UUID, msg.Metadata.Get(kafkago.KeyMetadata), string(msg.Payload))
	msg.Ack() // the offset is committed within CommitInterval, or on Close

	// Output: true c-42 {"id":"c-42","email":"ada@example.org"}
}
