package kafkago

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
)

// ErrSubscriberClosed is returned by Subscribe once Close has been called.
var ErrSubscriberClosed = errors.New("kafkago: subscriber closed")

// Subscriber is a message.Subscriber that reads Kafka topics with kafka-go,
// with at-least-once delivery.
//
// Each Subscribe call reads its partitions in parallel, one message in flight
// per partition: the next message of a partition is delivered only after the
// previous one is acked, and a nacked message is delivered again (after
// NackBackoff) before anything behind it, so per-partition (per-key) order
// holds. A message that is nacked forever blocks its partition; pair the
// subscriber with a poison-queue middleware if that can happen.
//
// With SubscriberConfig.ConsumerGroup set, each Subscribe call is one member of
// the group and gets a share of the partitions. Offsets are committed only for
// acked messages, in batches every CommitInterval and when partitions are
// revoked or the subscription ends. A group rebalances as a whole, even when its
// members subscribe to different topics, so give each topic its own group
// unless those rebalances are acceptable. Without a group, each Subscribe call
// reads every partition (as of the call) from the oldest message and commits
// nothing.
//
// A Subscriber is safe for concurrent use.
type Subscriber struct {
	cfg    SubscriberConfig
	logger watermill.LoggerAdapter

	closing context.Context // canceled by Close
	cancel  context.CancelFunc

	mu     sync.Mutex // guards closed against running.Add
	closed bool
	// running counts live subscriptions; Close waits for it.
	running sync.WaitGroup
}

var _ message.Subscriber = (*Subscriber)(nil)

// NewSubscriber validates cfg and returns a Subscriber. It does not contact the
// brokers; that happens in the background after Subscribe. A nil logger
// discards logs.
func NewSubscriber(cfg SubscriberConfig, logger watermill.LoggerAdapter) (*Subscriber, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	closing, cancel := context.WithCancel(context.Background())
	return &Subscriber{
		cfg:     cfg.withDefaults(),
		logger:  orNop(logger).With(watermill.LogFields{"component": "kafkago.Subscriber"}),
		closing: closing,
		cancel:  cancel,
	}, nil
}

// Subscribe starts consuming topic and returns the channel of its messages; it
// returns at once and connects in the background, waiting for the topic to
// exist. Every message must be acked or nacked (see Subscriber for what each
// does). A message's context derives from ctx and is canceled once the message
// is acked or nacked, or when the subscription stops. Canceling ctx or calling
// Close stops the subscription: in-flight messages get up to DrainTimeout to be
// acked, acked offsets are committed, then the channel is closed.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if topic == "" {
		return nil, errors.New("kafkago: subscribe: empty topic")
	}
	sub := &subscription{
		cfg:    s.cfg,
		topic:  topic,
		out:    make(chan *message.Message),
		logger: s.logger.With(watermill.LogFields{"topic": topic, "consumer_group": s.cfg.ConsumerGroup}),
	}
	groupCfg := sub.groupConfig()
	if s.cfg.ConsumerGroup != "" {
		if err := groupCfg.Validate(); err != nil {
			return nil, fmt.Errorf("kafkago: subscribe to %q: %w", topic, err)
		}
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrSubscriberClosed
	}
	s.running.Add(1)
	s.mu.Unlock()

	var cancel context.CancelFunc
	sub.ctx, cancel = context.WithCancel(ctx)
	stop := context.AfterFunc(s.closing, cancel)
	go func() {
		defer s.running.Done()
		defer cancel()
		defer stop()
		sub.run(groupCfg)
	}()
	return sub.out, nil
}

// Close stops every subscription as if its context were canceled and waits
// until they have drained, committed and closed their channels. It is
// idempotent and safe to call concurrently; it always returns nil.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.running.Wait()
	return nil
}

// dialTimeout bounds connecting to a broker.
const dialTimeout = 10 * time.Second

func (c SubscriberConfig) dialer() *kafka.Dialer {
	return &kafka.Dialer{ClientID: c.ClientID, Timeout: dialTimeout, DualStack: true}
}
