package kafkago_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
	"github.com/steward-crm/steward/pubsub/kafkago"
)

// TestTooLargeFailsAlone: the broker refuses a produce batch larger than the topic's
// max.message.bytes as a whole, so messages of concurrent Publish calls that kafka-go
// batched with a message too large were refused with it: a normalized record near the
// limit took the records published beside it to the dead letters. Only the message too
// large fails; the others are written.
func TestTooLargeFailsAlone(t *testing.T) {
	brokers := startCluster(t)
	createSmallTopic(t, brokers, "small")
	// A long batch timeout: the concurrent publishes meet in one batch.
	pub, err := kafkago.NewPublisher(kafkago.PublisherConfig{Brokers: brokers, BatchTimeout: 200 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	errs := publishBesideLarge(pub, "small")()
	small := len(errs) - 1
	for i, err := range errs[:small] {
		if err != nil {
			t.Errorf("small message %d: %v, want it written", i, err)
		}
	}
	if err := errs[small]; !kafkago.IsTooLarge(err) {
		t.Errorf("the message too large: %v, want a too-large error", err)
	}
}

// publishBesideLarge publishes to topic, each in a Publish call of its own and all at
// once, 8 small messages and one of 2 500 bytes (last), all of one key; wait waits for
// the calls and returns their errors, in that order.
func publishBesideLarge(pub *kafkago.Publisher, topic string) (wait func() []error) {
	const small = 8
	errs := make([]error, small+1)
	var wg sync.WaitGroup
	for i := range small + 1 {
		payload := []byte(`{"n":` + strconv.Itoa(i) + `}`)
		if i == small {
			payload = []byte(`"` + strings.Repeat("x", 2500) + `"`)
		}
		wg.Go(func() {
			m := message.NewMessage(strconv.Itoa(i), payload)
			m.Metadata.Set(kafkago.KeyMetadata, "one-partition")
			errs[i] = pub.Publish(topic, m)
		})
	}
	return func() []error {
		wg.Wait()
		return errs
	}
}

// createSmallTopic creates topic, of one partition, with a max.message.bytes of 2000: a
// message of 2 500 bytes is too large for it.
func createSmallTopic(t *testing.T, brokers []string, topic string) {
	t.Helper()
	conn, err := kafka.Dial("tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tc := kafka.TopicConfig{Topic: topic, NumPartitions: 1, ReplicationFactor: 1,
		ConfigEntries: []kafka.ConfigEntry{{ConfigName: "max.message.bytes", ConfigValue: "2000"}}}
	if err := conn.CreateTopics(tc); err != nil {
		t.Fatal(err)
	}
}
