package kafkago

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Defaults applied to zero-valued config fields.
const (
	defaultClientID          = "steward"
	defaultBatchTimeout      = 5 * time.Millisecond
	defaultBatchSize         = 1000
	defaultWriteTimeout      = 10 * time.Second
	defaultMaxAttempts       = 10
	defaultCommitInterval    = time.Second
	defaultHeartbeatInterval = 3 * time.Second
	defaultSessionTimeout    = 30 * time.Second
	defaultRebalanceTimeout  = 30 * time.Second
	defaultJoinGroupBackoff  = 5 * time.Second
	defaultPartitionWatch    = 5 * time.Second
	defaultMaxWait           = 5 * time.Second
	defaultReadBackoffMin    = 100 * time.Millisecond
	defaultReadBackoffMax    = time.Second
	defaultNackBackoff       = 100 * time.Millisecond
	defaultMaxUncommitted    = 10000
	defaultDrainTimeout      = 10 * time.Second
)

// PublisherConfig configures a Publisher. A zero-valued field other than
// Brokers selects the default given in its comment.
type PublisherConfig struct {
	// Brokers lists the bootstrap brokers as host:port. Required.
	Brokers []string

	// ClientID identifies this process to the brokers. Default "steward".
	ClientID string

	// BatchTimeout bounds how long a partly filled batch waits for more
	// messages before it is sent, so a Publish of one message takes at least
	// this long. Default 5ms (kafka-go's own default of 1s would cap a
	// synchronous publisher at one message per second).
	BatchTimeout time.Duration

	// BatchSize is the most messages sent to one partition in one produce
	// request. Default 1000.
	BatchSize int

	// BatchBytes is the most bytes of one produce request, and so the largest
	// message Publish sends (its key, value and headers). Default 1 MiB
	// (kafka-go's); the broker's and the topic's own limits apply too.
	BatchBytes int64

	// WriteTimeout bounds one produce request to a broker. Default 10s.
	WriteTimeout time.Duration

	// MaxAttempts is how many times a failed produce request is tried before
	// Publish returns the error. Default 10.
	MaxAttempts int

	// AllowAutoTopicCreation lets Publish create a missing topic with the
	// broker's default settings (the broker must allow it as well). Default
	// false: publishing to a missing topic fails.
	AllowAutoTopicCreation bool
}

// SubscriberConfig configures a Subscriber. A zero-valued field other than
// Brokers selects the default given in its comment.
type SubscriberConfig struct {
	// Brokers lists the bootstrap brokers as host:port. Required.
	Brokers []string

	// ClientID identifies this process to the brokers. Default "steward".
	ClientID string

	// ConsumerGroup is the Kafka consumer group whose members split a topic's
	// partitions between them; offsets of acked messages are committed to it
	// and a partition without a committed offset starts at its oldest message.
	// Default "" (no group): every Subscribe reads every partition from the
	// oldest retained message and commits nothing.
	ConsumerGroup string

	// CommitInterval is how often offsets of acked messages are committed; a
	// crash redelivers at most this much acked work. Default 1s.
	CommitInterval time.Duration

	// HeartbeatInterval is how often a group member reports to the group
	// coordinator; it also bounds how fast a rebalance is noticed. It must be
	// below SessionTimeout. Default 3s.
	HeartbeatInterval time.Duration

	// SessionTimeout is how long the coordinator waits for a heartbeat before
	// it evicts a member; brokers bound it with group.min.session.timeout.ms
	// (6s on Kafka) and group.max.session.timeout.ms. Default 30s.
	SessionTimeout time.Duration

	// RebalanceTimeout is how long the coordinator waits for members to rejoin
	// during a rebalance. Default 30s.
	RebalanceTimeout time.Duration

	// JoinGroupBackoff is the pause before joining the group again after an
	// error. Default 5s.
	JoinGroupBackoff time.Duration

	// PartitionWatchInterval is how often a group member checks the topic for
	// added partitions (which trigger a rebalance). Default 5s.
	PartitionWatchInterval time.Duration

	// MaxWait is the longest a fetch waits on the broker for new messages; new
	// messages are returned as soon as they arrive. kafka-go also makes it the
	// client's deadline for the fetch response (the broker is asked to answer
	// earlier by a quarter of it, at most 1s), so a small value makes fetches
	// from a busy broker time out and reconnect. Close and rebalances cut an
	// idle fetch short, so a long MaxWait does not delay them. Default 5s.
	MaxWait time.Duration

	// ReadBackoffMin is the first pause after a failed fetch or while waiting
	// for the topic to exist; pauses double up to ReadBackoffMax. Default 100ms.
	ReadBackoffMin time.Duration

	// ReadBackoffMax is the longest pause between fetch retries. Default 1s.
	ReadBackoffMax time.Duration

	// NackBackoff is the pause before a nacked message is delivered again.
	// Default 100ms.
	NackBackoff time.Duration

	// PartitionConcurrency is how many messages of one partition are delivered at
	// once. Messages with the same key are still delivered one after the other, in
	// partition order (a key's second message waits until the first is acked), and
	// offsets are committed only up to the oldest message not acked yet. Default 1:
	// the whole partition in order, one message at a time.
	PartitionConcurrency int

	// MaxUncommitted bounds, with PartitionConcurrency above 1, the messages of one
	// partition fetched after the oldest one not acked yet: a message that is nacked
	// again and again (a failure that is not the data's) holds the partition's
	// committed offset, and the acked messages behind it wait in memory until it
	// goes. At the bound the partition stops fetching (its lag grows, where memory
	// grew without end). Default 10000.
	MaxUncommitted int

	// DrainTimeout is how long Close and rebalances wait for delivered messages
	// to be acked or nacked; a message still pending then is left uncommitted
	// and will be delivered again. With a ConsumerGroup, DrainTimeout plus
	// HeartbeatInterval must be below SessionTimeout: kafka-go stops
	// heartbeating when a generation ends, so a longer drain gets the member
	// evicted, its partitions handed to another member while it still drains,
	// and the offsets acked meanwhile refused. Default 10s.
	DrainTimeout time.Duration
}

// Validate reports every problem in c at once (joined with errors.Join), or nil.
func (c PublisherConfig) Validate() error {
	var errs []error
	errs = append(errs, validateBrokers(c.Brokers)...)
	errs = append(errs, nonNegative("BatchTimeout", c.BatchTimeout), nonNegative("WriteTimeout", c.WriteTimeout))
	if c.BatchSize < 0 {
		errs = append(errs, fmt.Errorf("BatchSize must not be negative, got %d", c.BatchSize))
	}
	if c.BatchBytes < 0 {
		errs = append(errs, fmt.Errorf("BatchBytes must not be negative, got %d", c.BatchBytes))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("MaxAttempts must not be negative, got %d", c.MaxAttempts))
	}
	return wrapInvalid("publisher", errors.Join(errs...))
}

// Validate reports every problem in c at once (joined with errors.Join), or nil.
// Relations between fields are checked after defaults are applied.
func (c SubscriberConfig) Validate() error {
	var errs []error
	errs = append(errs, validateBrokers(c.Brokers)...)
	if c.ConsumerGroup != strings.TrimSpace(c.ConsumerGroup) {
		errs = append(errs, fmt.Errorf("ConsumerGroup %q has surrounding spaces", c.ConsumerGroup))
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{
		{"CommitInterval", c.CommitInterval}, {"HeartbeatInterval", c.HeartbeatInterval},
		{"SessionTimeout", c.SessionTimeout}, {"RebalanceTimeout", c.RebalanceTimeout},
		{"JoinGroupBackoff", c.JoinGroupBackoff}, {"PartitionWatchInterval", c.PartitionWatchInterval},
		{"MaxWait", c.MaxWait}, {"ReadBackoffMin", c.ReadBackoffMin}, {"ReadBackoffMax", c.ReadBackoffMax},
		{"NackBackoff", c.NackBackoff}, {"DrainTimeout", c.DrainTimeout},
	} {
		errs = append(errs, nonNegative(f.name, f.d))
	}
	if c.MaxUncommitted < 0 {
		errs = append(errs, fmt.Errorf("MaxUncommitted must not be negative, got %d", c.MaxUncommitted))
	}
	if c.PartitionConcurrency < 0 {
		errs = append(errs, fmt.Errorf("PartitionConcurrency must not be negative, got %d", c.PartitionConcurrency))
	}
	d := c.withDefaults()
	if d.HeartbeatInterval >= d.SessionTimeout {
		errs = append(errs, fmt.Errorf("HeartbeatInterval (%s) must be below SessionTimeout (%s)",
			d.HeartbeatInterval, d.SessionTimeout))
	}
	if d.ConsumerGroup != "" && d.DrainTimeout >= d.RebalanceTimeout {
		errs = append(errs, fmt.Errorf("DrainTimeout (%s) must be below RebalanceTimeout (%s)",
			d.DrainTimeout, d.RebalanceTimeout))
	}
	if d.ConsumerGroup != "" && d.DrainTimeout+d.HeartbeatInterval >= d.SessionTimeout {
		// Heartbeats stop once a generation ends (rebalance or Close): a drain the
		// session does not outlast gets the member evicted while it drains.
		errs = append(errs, fmt.Errorf("DrainTimeout (%s) plus HeartbeatInterval (%s) must be below SessionTimeout (%s)",
			d.DrainTimeout, d.HeartbeatInterval, d.SessionTimeout))
	}
	if d.ReadBackoffMin > d.ReadBackoffMax {
		errs = append(errs, fmt.Errorf("ReadBackoffMin (%s) must not exceed ReadBackoffMax (%s)",
			d.ReadBackoffMin, d.ReadBackoffMax))
	}
	return wrapInvalid("subscriber", errors.Join(errs...))
}

func (c PublisherConfig) withDefaults() PublisherConfig {
	c.ClientID = or(c.ClientID, defaultClientID)
	c.BatchTimeout = or(c.BatchTimeout, defaultBatchTimeout)
	c.BatchSize = or(c.BatchSize, defaultBatchSize)
	c.WriteTimeout = or(c.WriteTimeout, defaultWriteTimeout)
	c.MaxAttempts = or(c.MaxAttempts, defaultMaxAttempts)
	return c
}

func (c SubscriberConfig) withDefaults() SubscriberConfig {
	c.ClientID = or(c.ClientID, defaultClientID)
	c.CommitInterval = or(c.CommitInterval, defaultCommitInterval)
	c.PartitionConcurrency = or(c.PartitionConcurrency, 1)
	c.MaxUncommitted = or(c.MaxUncommitted, defaultMaxUncommitted)
	c.HeartbeatInterval = or(c.HeartbeatInterval, defaultHeartbeatInterval)
	c.SessionTimeout = or(c.SessionTimeout, defaultSessionTimeout)
	c.RebalanceTimeout = or(c.RebalanceTimeout, defaultRebalanceTimeout)
	c.JoinGroupBackoff = or(c.JoinGroupBackoff, defaultJoinGroupBackoff)
	c.PartitionWatchInterval = or(c.PartitionWatchInterval, defaultPartitionWatch)
	c.MaxWait = or(c.MaxWait, defaultMaxWait)
	c.ReadBackoffMin = or(c.ReadBackoffMin, defaultReadBackoffMin)
	c.ReadBackoffMax = or(c.ReadBackoffMax, defaultReadBackoffMax)
	c.NackBackoff = or(c.NackBackoff, defaultNackBackoff)
	c.DrainTimeout = or(c.DrainTimeout, defaultDrainTimeout)
	return c
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func validateBrokers(brokers []string) []error {
	if len(brokers) == 0 {
		return []error{errors.New("Brokers must list at least one broker")}
	}
	var errs []error
	for i, b := range brokers {
		if strings.TrimSpace(b) == "" {
			errs = append(errs, fmt.Errorf("Brokers[%d] is empty", i))
		}
	}
	return errs
}

func nonNegative(name string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%s must not be negative, got %s", name, d)
	}
	return nil
}

func wrapInvalid(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("kafkago: invalid %s config: %w", what, err)
}
