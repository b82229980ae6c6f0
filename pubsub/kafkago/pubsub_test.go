package kafkago_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/steward-crm/steward/pubsub/kafkago"
)

// testPartitions is the partition count of auto-created test topics.
const testPartitions = 4

// startCluster runs an in-process Kafka-protocol broker for the test.
func startCluster(t testing.TB, opts ...kfake.Opt) []string {
	t.Helper()
	opts = append([]kfake.Opt{
		kfake.NumBrokers(1),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(testPartitions),
	}, opts...)
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(cluster.Close)
	return cluster.ListenAddrs()
}

// testLogger is silent unless KAFKAGO_TEST_LOG is set (1 = info, debug, trace).
func testLogger() watermill.LoggerAdapter {
	switch os.Getenv("KAFKAGO_TEST_LOG") {
	case "":
		return watermill.NopLogger{}
	case "debug":
		return watermill.NewStdLogger(true, false)
	case "trace":
		return watermill.NewStdLogger(true, true)
	default:
		return watermill.NewStdLogger(false, false)
	}
}

// publisherConfig and subscriberConfig shorten kafka-go's timings so that
// rebalances and closes take milliseconds instead of seconds. The session and
// rebalance timeouts stay generous: every member leaves the group when closed,
// so they only matter when the machine is so loaded that a member is late, and
// then evicting it would only start another round of rebalancing.
func publisherConfig(brokers []string) kafkago.PublisherConfig {
	return kafkago.PublisherConfig{
		Brokers:                brokers,
		BatchTimeout:           2 * time.Millisecond,
		AllowAutoTopicCreation: true,
	}
}

func subscriberConfig(brokers []string, group string) kafkago.SubscriberConfig {
	return kafkago.SubscriberConfig{
		Brokers:                brokers,
		ConsumerGroup:          group,
		CommitInterval:         50 * time.Millisecond,
		HeartbeatInterval:      100 * time.Millisecond,
		SessionTimeout:         6 * time.Second,
		RebalanceTimeout:       15 * time.Second,
		JoinGroupBackoff:       100 * time.Millisecond,
		PartitionWatchInterval: time.Second,
		MaxWait:                200 * time.Millisecond,
		ReadBackoffMin:         10 * time.Millisecond,
		ReadBackoffMax:         100 * time.Millisecond,
		NackBackoff:            5 * time.Millisecond,
		DrainTimeout:           250 * time.Millisecond,
	}
}

func newPubSub(t *testing.T, brokers []string, group string, keyed bool) (message.Publisher, message.Subscriber) {
	t.Helper()
	logger := testLogger()
	pub, err := kafkago.NewPublisher(publisherConfig(brokers), logger)
	if err != nil {
		t.Fatalf("new publisher: %v", err)
	}
	sub, err := kafkago.NewSubscriber(subscriberConfig(brokers, group), logger)
	if err != nil {
		t.Fatalf("new subscriber: %v", err)
	}
	// Some suite tests never close what they construct (they close a
	// multiplier before subscribing it); idle members left running would
	// slow every later rebalance down. Close is idempotent.
	t.Cleanup(func() {
		_ = pub.Close()
		_ = sub.Close()
	})
	if keyed {
		return keyByPayload{pub}, sub
	}
	return pub, sub
}

// keyByPayload sets KeyMetadata to the payload, the way a producer of contact
// records keys them by contact ID. The suite's ordering test checks order per
// payload, which Kafka guarantees per key.
type keyByPayload struct{ message.Publisher }

func (p keyByPayload) Publish(topic string, messages ...*message.Message) error {
	for _, msg := range messages {
		msg.Metadata.Set(kafkago.KeyMetadata, string(msg.Payload))
	}
	return p.Publisher.Publish(topic, messages...)
}

// groupFor names one consumer group per suite test: every pub/sub a test
// constructs shares it (so closing and reopening resumes from committed
// offsets) and parallel tests do not rebalance each other.
func groupFor(t *testing.T) string {
	return "cg." + strings.ReplaceAll(t.Name(), "/", ".")
}

// TestPubSubConsumerGroup runs the universal suite in the production mode: a
// consumer group per test and keyed messages, so order holds per key.
func TestPubSubConsumerGroup(t *testing.T) {
	brokers := startCluster(t)
	tests.TestPubSub(t,
		tests.Features{
			ConsumerGroups:                   true,
			ExactlyOnceDelivery:              false,
			GuaranteedOrder:                  true,
			Persistent:                       true,
			NewSubscriberReceivesOldMessages: false, // members of one group share the messages
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) {
			return newPubSub(t, brokers, groupFor(t), true)
		},
		func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
			return newPubSub(t, brokers, group, true)
		},
	)
}

// TestPubSubConsumerGroupUnkeyed runs the suite in a consumer group with
// messages published without a key: they are spread round-robin over the
// partitions, so no order is promised.
func TestPubSubConsumerGroupUnkeyed(t *testing.T) {
	brokers := startCluster(t)
	tests.TestPubSub(t,
		tests.Features{
			ConsumerGroups:      true,
			ExactlyOnceDelivery: false,
			GuaranteedOrder:     false,
			Persistent:          true,
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) {
			return newPubSub(t, brokers, groupFor(t), false)
		},
		func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
			return newPubSub(t, brokers, group, false)
		},
	)
}

// TestPubSubNoGroup runs the suite without a consumer group: every subscriber
// reads all partitions from the start and commits nothing. ForceShort keeps
// the message counts small, since every subscriber of the 50-subscriber tests
// would read every message; the group mode runs the full sizes.
func TestPubSubNoGroup(t *testing.T) {
	brokers := startCluster(t)
	tests.TestPubSub(t,
		tests.Features{
			ConsumerGroups:                   false,
			ExactlyOnceDelivery:              false,
			GuaranteedOrder:                  true,
			Persistent:                       true,
			NewSubscriberReceivesOldMessages: true,
			ForceShort:                       true,
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) {
			return newPubSub(t, brokers, "", true)
		},
		nil,
	)
}
