package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/segmentio/kafka-go"
	"github.com/steward-crm/steward/pubsub/kafkago"
)

// publisher builds the Kafka publisher of the configuration. lowLatency sends each
// publish at once; otherwise messages are batched for a few milliseconds (produce, and the
// handlers: with kafka.in_flight messages per partition in flight, their concurrent
// publishes share produce requests, ~20 % more throughput than one request each).
func (s *Service) publisher(wlog watermill.LoggerAdapter, lowLatency bool) (*kafkago.Publisher, error) {
	k := s.Config.Kafka
	if len(k.Brokers) == 0 {
		return nil, errors.New("kafka.brokers: required (steward.yaml, STEWARD_KAFKA_BROKERS or -brokers)")
	}
	// Room for a dead letter: a raw record the broker took whole, plus the headers that
	// name its stage and reason, and for its normalized form (the topics are created to
	// take them: maxMessageBytes).
	cfg := kafkago.PublisherConfig{Brokers: k.Brokers, AllowAutoTopicCreation: *k.CreateTopics, BatchBytes: maxMessageBytes}
	if lowLatency {
		cfg.BatchSize = 1
	}
	return kafkago.NewPublisher(cfg, wlog)
}

// subscriber builds a consumer-group subscriber for one handler.
func (s *Service) subscriber(handler string, wlog watermill.LoggerAdapter) (*kafkago.Subscriber, error) {
	return kafkago.NewSubscriber(s.Config.Kafka.subscriberConfig(handler), wlog)
}

// subscriberConfig is the consumer-group subscriber configuration of one handler.
func (k *KafkaConfig) subscriberConfig(handler string) kafkago.SubscriberConfig {
	return kafkago.SubscriberConfig{
		Brokers:           k.Brokers,
		ConsumerGroup:     k.Group + "." + handler,
		CommitInterval:    k.CommitInterval,
		SessionTimeout:    k.SessionTimeout,
		HeartbeatInterval: k.HeartbeatInterval,
		RebalanceTimeout:  k.RebalanceTimeout,
		JoinGroupBackoff:  k.JoinGroupBackoff,
		DrainTimeout:      k.DrainTimeout,
		MaxWait:           k.MaxWait,
		// The handlers are safe for concurrent use and keep per-key order.
		PartitionConcurrency: k.InFlight,
	}
}

// kafkaKeys names the subscriber's settings as steward.yaml does, for its errors.
var kafkaKeys = strings.NewReplacer("CommitInterval", "kafka.commit_interval", "SessionTimeout", "kafka.session_timeout",
	"HeartbeatInterval", "kafka.heartbeat_interval", "RebalanceTimeout", "kafka.rebalance_timeout",
	"JoinGroupBackoff", "kafka.join_group_backoff", "DrainTimeout", "kafka.drain_timeout", "MaxWait", "kafka.max_wait",
	"PartitionConcurrency", "kafka.in_flight")

// maxMessageBytes is the largest message steward publishes, and the max.message.bytes of
// the topics it creates for its handlers to publish to (clean, enriched, dead letters):
// 2 MiB, twice the broker's default for the raw topic.
const maxMessageBytes = 2 << 20

// EnsureTopics creates the pipeline's topics that do not exist yet, with the configured
// partition count (replication factor 1 on a single broker, else 3).
func (s *Service) EnsureTopics(ctx context.Context) error {
	k := s.Config.Kafka
	if !*k.CreateTopics {
		return nil
	}
	if len(k.Brokers) == 0 {
		return errors.New("kafka.brokers: required")
	}
	conn, err := kafka.DialContext(ctx, "tcp", k.Brokers[0])
	if err != nil {
		return fmt.Errorf("kafka %s: %w", k.Brokers[0], err)
	}
	defer conn.Close()
	brokers, err := conn.Brokers()
	if err != nil {
		return fmt.Errorf("kafka brokers: %w", err)
	}
	rf := 3
	if len(brokers) < 3 {
		rf = 1
	}
	ctrl, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("kafka controller: %w", err)
	}
	cc, err := kafka.DialContext(ctx, "tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		return fmt.Errorf("kafka controller: %w", err)
	}
	defer cc.Close()
	t := k.Topics
	var cfgs []kafka.TopicConfig
	for _, name := range []string{t.Raw, t.Clean, t.Enriched, t.DLQ, t.Golden} {
		tc := kafka.TopicConfig{Topic: name, NumPartitions: k.Partitions, ReplicationFactor: rf}
		switch name {
		case t.Clean, t.Enriched, t.DLQ, t.Golden:
			// A dead letter is its raw record plus headers, a normalized record is
			// larger than its raw one (its normalized fields besides the raw ones): at
			// the broker's default limit (1 MiB) a raw record near it could not be
			// dead-lettered, nor go through the separate stages. A golden record's
			// change event holds the union of its members' values: the outbox's
			// publisher sends up to maxMessageBytes (an event larger is given up as a
			// dead letter; on a golden topic created before with the broker's default,
			// one the broker refuses as too large too).
			tc.ConfigEntries = []kafka.ConfigEntry{{ConfigName: "max.message.bytes", ConfigValue: strconv.Itoa(maxMessageBytes)}}
		}
		cfgs = append(cfgs, tc)
	}
	if err := cc.CreateTopics(cfgs...); err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return fmt.Errorf("create topics: %w", err)
	}
	return nil
}
