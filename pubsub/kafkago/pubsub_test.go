package kafkago_test

import (
	"context"
	"os"
	"strings"
	"sync"
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

// testLogger is silent unless KAFKAGO_TEST_LOG is set: "debug" and "trace"
// select those levels, any other value logs Info and above.
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
// rebalances and closes take milliseconds instead of seconds. Timeouts stay
// generous, for machines loaded enough to make the broker answer late: the
// fetch deadline derives from MaxWait, and evicting a late group member would
// only start another round of rebalancing (every member leaves when closed).
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
		MaxWait:                2 * time.Second,
		ReadBackoffMin:         10 * time.Millisecond,
		ReadBackoffMax:         100 * time.Millisecond,
		NackBackoff:            5 * time.Millisecond,
		DrainTimeout:           250 * time.Millisecond,
	}
}

func newPubSub(t *testing.T, brokers []string, group string, keyed bool) (message.Publisher, message.Subscriber) {
	t.Helper()
	return newPubSubConcurrent(t, brokers, group, keyed, 0)
}

// newPubSubConcurrent is newPubSub with SubscriberConfig.PartitionConcurrency set.
func newPubSubConcurrent(t *testing.T, brokers []string, group string, keyed bool, concurrency int) (message.Publisher, message.Subscriber) {
	t.Helper()
	cfg := subscriberConfig(brokers, group)
	cfg.PartitionConcurrency = concurrency
	sub, err := kafkago.NewSubscriber(cfg, testLogger())
	if err != nil {
		t.Fatalf("new subscriber: %v", err)
	}
	closeAfter(t, sub)
	return newPublisher(t, brokers, keyed), sub
}

func newPublisher(t *testing.T, brokers []string, keyed bool) message.Publisher {
	t.Helper()
	pub, err := kafkago.NewPublisher(publisherConfig(brokers), testLogger())
	if err != nil {
		t.Fatalf("new publisher: %v", err)
	}
	closeAfter(t, pub)
	if keyed {
		return keyByPayload{pub}
	}
	return pub
}

// closeAfter closes c when the test ends. Some suite tests never close what
// they construct (they close a multiplier before subscribing it); idle members
// left running would slow every later rebalance down. Close is idempotent.
func closeAfter(t *testing.T, c interface{ Close() error }) {
	t.Cleanup(func() { _ = c.Close() })
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

// newGroupPubSub is the suite's plain constructor in consumer-group mode.
// Every pub/sub a test constructs joins the same groups, so closing and
// reopening resumes from committed offsets, and parallel tests do not
// rebalance each other. Each topic gets its own group, as the Subscriber docs
// advise: one group over the 20 topics of TestConcurrentSubscribeMultipleTopics
// would rebalance all 20 members whenever any of them joins or leaves.
func newGroupPubSub(t *testing.T, brokers []string, keyed bool) (message.Publisher, message.Subscriber) {
	return newGroupPubSubConcurrent(t, brokers, keyed, 0)
}

// newGroupPubSubConcurrent is newGroupPubSub with SubscriberConfig.PartitionConcurrency
// set (and groups of their own).
func newGroupPubSubConcurrent(t *testing.T, brokers []string, keyed bool, concurrency int) (message.Publisher, message.Subscriber) {
	prefix := "cg."
	if concurrency > 1 {
		prefix = "cc."
	}
	sub := &groupPerTopic{brokers: brokers, prefix: prefix + strings.ReplaceAll(t.Name(), "/", "."), concurrency: concurrency}
	closeAfter(t, sub)
	return newPublisher(t, brokers, keyed), sub
}

// groupPerTopic subscribes each topic with its own Subscriber whose group is
// prefix + "." + topic.
type groupPerTopic struct {
	brokers     []string
	prefix      string
	concurrency int // SubscriberConfig.PartitionConcurrency

	mu     sync.Mutex
	closed bool
	subs   []*kafkago.Subscriber
}

func (g *groupPerTopic) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	cfg := subscriberConfig(g.brokers, g.prefix+"."+topic)
	cfg.PartitionConcurrency = g.concurrency
	sub, err := kafkago.NewSubscriber(cfg, testLogger())
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, kafkago.ErrSubscriberClosed
	}
	g.subs = append(g.subs, sub)
	return sub.Subscribe(ctx, topic)
}

func (g *groupPerTopic) Close() error {
	g.mu.Lock()
	g.closed = true
	subs := g.subs
	g.mu.Unlock()
	var wg sync.WaitGroup
	for _, sub := range subs {
		wg.Go(func() { _ = sub.Close() }) // Subscriber.Close always returns nil
	}
	wg.Wait()
	return nil
}

// TestPubSubConsumerGroup runs the universal suite in the production mode:
// consumer groups (one per test and topic) and keyed messages, so order holds
// per key.
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
			return newGroupPubSub(t, brokers, true)
		},
		func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
			return newPubSub(t, brokers, group, true)
		},
	)
}

// TestPubSubConsumerGroupConcurrent runs the suite in consumer-group mode with keyed
// messages and 8 messages of a partition in flight at once: order still holds per key.
func TestPubSubConsumerGroupConcurrent(t *testing.T) {
	brokers := startCluster(t)
	tests.TestPubSub(t,
		tests.Features{
			ConsumerGroups:                   true,
			ExactlyOnceDelivery:              false,
			GuaranteedOrder:                  true,
			Persistent:                       true,
			NewSubscriberReceivesOldMessages: false,
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) {
			return newGroupPubSubConcurrent(t, brokers, true, 8)
		},
		func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
			return newPubSubConcurrent(t, brokers, group, true, 8)
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
			return newGroupPubSub(t, brokers, false)
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
