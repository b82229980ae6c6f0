package service

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/steward-crm/steward/handlers"
)

// KafkaConfig configures the scale-out mode. Zero values mean the defaults on each field.
type KafkaConfig struct {
	// Brokers are the bootstrap brokers, host:port. Required by run and produce.
	Brokers []string `yaml:"brokers"`
	// Group prefixes the consumer groups: each handler consumes in group
	// "<group>.<handler>" (e.g. steward.resolve), so that handlers scale independently.
	// Default "steward". Renaming it re-consumes every topic from the start.
	Group string `yaml:"group"`
	// Topics names the topics. Defaults: contacts.raw, contacts.clean,
	// contacts.enriched, contacts.dlq, contacts.golden.
	Topics handlers.Topics `yaml:"topics"`
	// Partitions is the partition count of topics steward creates. Default 6. More
	// partitions than consumers is fine; consumers beyond the partition count sit idle.
	Partitions int `yaml:"partitions"`
	// CreateTopics makes run and produce create missing topics. Default true.
	CreateTopics *bool `yaml:"create_topics"`
	// CommitInterval is how often consumed offsets are committed. Default 1s.
	CommitInterval time.Duration `yaml:"commit_interval"`
	// SessionTimeout is the consumer group session timeout. Default 30s.
	SessionTimeout time.Duration `yaml:"session_timeout"`
	// HeartbeatInterval is the consumer group heartbeat. Default 3s.
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	// RebalanceTimeout is the consumer group rebalance timeout. Default 30s.
	RebalanceTimeout time.Duration `yaml:"rebalance_timeout"`
	// DrainTimeout is how long a rebalance or shutdown waits for in-flight messages;
	// it must be below RebalanceTimeout, and with HeartbeatInterval below
	// SessionTimeout (heartbeats stop while draining). Default 10s.
	DrainTimeout time.Duration `yaml:"drain_timeout"`
	// JoinGroupBackoff is the pause before rejoining a group after an error. Default 5s.
	JoinGroupBackoff time.Duration `yaml:"join_group_backoff"`
	// MaxWait bounds how long a fetch waits on the broker for new messages (new messages
	// are returned at once). Default 5s (kafkago's: a small value makes fetches from a busy
	// broker time out and reconnect).
	MaxWait time.Duration `yaml:"max_wait"`
	// OutboxInterval is how often the outbox is polled for events to publish on the
	// golden topic. Default 200ms.
	OutboxInterval time.Duration `yaml:"outbox_interval"`
	// OutboxRetention is how long published events stay in the outbox (for a look at
	// what was sent) before the forwarder deletes them, at most once a minute.
	// Unpublished events are never deleted. Default 24h.
	OutboxRetention time.Duration `yaml:"outbox_retention"`
	// InFlight is how many messages of one partition each handler processes at once.
	// Messages with the same key (source:source_id) still go one after the other in
	// partition order, and offsets are committed only up to the oldest message not done.
	// 1 processes each partition strictly in order. Default 64.
	InFlight int `yaml:"in_flight"`
	// ResolveBatch bounds the records the resolve handler writes in one transaction:
	// records in flight together (up to in_flight per assigned partition) share a
	// transaction, without waiting for a batch to fill. Default 128.
	ResolveBatch int `yaml:"resolve_batch"`
	// ResolveWorkers is the number of resolve transactions a process writes at once.
	// Default 2 on PostgreSQL (one batch is written while the next is decided; more
	// contend for the same blocking-key locks), always 1 on SQLite (one writer).
	ResolveWorkers int `yaml:"resolve_workers"`
	// Stages is "fused" (default) or "separate". Fused: one handler consumes the raw
	// topic and normalizes, identifies and resolves each record in memory; the clean and
	// enriched topics are not used. Separate: one handler per stage, each in its own
	// consumer group, with contacts.clean and contacts.enriched between them (for other
	// consumers of those topics, or to scale the stages apart). Both consume the raw
	// topic in the group "<group>.normalize", so switching continues where the other
	// left off.
	Stages string `yaml:"stages"`
}

// Stage layouts of KafkaConfig.Stages.
const (
	StagesFused    = "fused"
	StagesSeparate = "separate"
)

func (k *KafkaConfig) setDefaults() {
	if k.Group == "" {
		k.Group = "steward"
	}
	k.Topics = k.Topics.WithDefaults()
	if k.Partitions == 0 {
		k.Partitions = 6
	}
	if k.ResolveBatch == 0 {
		k.ResolveBatch = 128
	}
	if k.InFlight == 0 {
		k.InFlight = 64
	}
	if k.Stages == "" {
		k.Stages = StagesFused
	}
	if k.CreateTopics == nil {
		t := true
		k.CreateTopics = &t
	}
	if k.OutboxInterval == 0 {
		k.OutboxInterval = 200 * time.Millisecond
	}
	if k.OutboxRetention == 0 {
		k.OutboxRetention = 24 * time.Hour
	}
}

func (k *KafkaConfig) validate() []error {
	var errs []error
	for _, b := range k.Brokers {
		if !strings.Contains(b, ":") {
			errs = append(errs, fmt.Errorf("kafka.brokers: %q: want host:port", b))
		}
	}
	if k.OutboxInterval < 0 {
		errs = append(errs, errors.New("kafka.outbox_interval: must not be negative (0: the default, 200ms)"))
	}
	if k.OutboxRetention < 0 {
		errs = append(errs, errors.New("kafka.outbox_retention: must not be negative (0: the default, 24h)"))
	}
	if k.ResolveWorkers < 0 {
		errs = append(errs, errors.New("kafka.resolve_workers: must be positive"))
	}
	if k.InFlight < 0 {
		errs = append(errs, errors.New("kafka.in_flight: must be positive"))
	}
	if k.ResolveBatch < 0 {
		errs = append(errs, errors.New("kafka.resolve_batch: must be positive"))
	}
	// The durations and their relations (drain within the session and the rebalance),
	// as the subscriber checks them at run, named by their keys: at load.
	sc := k.subscriberConfig("x")
	sc.Brokers = []string{"checked:above"}
	if err := sc.Validate(); err != nil {
		if u := errors.Unwrap(err); u != nil {
			err = u // the joined problems, without kafkago's prefix
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			errs = append(errs, errors.New(kafkaKeys.Replace(line)))
		}
	}
	if k.Stages != StagesFused && k.Stages != StagesSeparate {
		errs = append(errs, fmt.Errorf("kafka.stages: %q: want %q or %q", k.Stages, StagesFused, StagesSeparate))
	}
	if k.Partitions < 0 {
		errs = append(errs, errors.New("kafka.partitions: must be positive"))
	}
	// One topic in two roles loops (dlq = raw: every dead letter comes back as a raw
	// record) or mixes payloads (golden = raw).
	t := k.Topics.WithDefaults()
	roles := map[string]string{}
	for _, r := range []struct{ role, name string }{{"raw", t.Raw}, {"clean", t.Clean}, {"enriched", t.Enriched}, {"dlq", t.DLQ}, {"golden", t.Golden}} {
		if other, ok := roles[r.name]; ok {
			errs = append(errs, fmt.Errorf("kafka.topics.%s: %q is already kafka.topics.%s", r.role, r.name, other))
			continue
		}
		roles[r.name] = r.role
	}
	return errs
}

// HTTPConfig configures the operational HTTP server.
type HTTPConfig struct {
	// Addr is the listen address. Default ":8080".
	Addr string `yaml:"addr"`
}
