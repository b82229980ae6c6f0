package kafkago

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
)

// ErrPublisherClosed is returned by Publish once Close has been called.
var ErrPublisherClosed = errors.New("kafkago: publisher closed")

// Publisher is a message.Publisher that writes to Kafka through a kafka-go
// Writer, waiting for all in-sync replicas to acknowledge (acks=all). Messages
// with the same KeyMetadata value go to the same partition in publish order.
// It is safe for concurrent use; concurrent Publish calls share batches.
type Publisher struct {
	writer *kafka.Writer
	// alone writes one message per produce request (BatchSize 1): a message the broker
	// refused for its size is tried again through it (see Publish).
	alone     *kafka.Writer
	transport *kafka.Transport
	logger    watermill.LoggerAdapter
	backoff   backoff

	closed atomic.Bool
	// inflight is read-held by each Publish call: Close closes alone once the calls in
	// flight, which writer.Close released, are done with it (closed under a write
	// entering it, kafka-go's Close failed the write or waited forever).
	inflight  sync.RWMutex
	closeOnce sync.Once
	closeErr  error
}

var _ message.Publisher = (*Publisher)(nil)

// NewPublisher validates cfg and returns a Publisher. It does not contact the
// brokers; connection problems surface from Publish. A nil logger discards logs.
func NewPublisher(cfg PublisherConfig, logger watermill.LoggerAdapter) (*Publisher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	logger = orNop(logger).With(watermill.LogFields{"component": "kafkago.Publisher"})
	progress, problems := kafkaLoggers(logger)
	transport := &kafka.Transport{ClientID: cfg.ClientID}
	writer := func(batchSize int) *kafka.Writer {
		return &kafka.Writer{
			Addr:                   kafka.TCP(cfg.Brokers...),
			Balancer:               &kafka.Hash{},
			BatchSize:              batchSize,
			BatchBytes:             cfg.BatchBytes,
			BatchTimeout:           cfg.BatchTimeout,
			ReadTimeout:            cfg.WriteTimeout,
			WriteTimeout:           cfg.WriteTimeout,
			MaxAttempts:            cfg.MaxAttempts,
			RequiredAcks:           kafka.RequireAll,
			AllowAutoTopicCreation: cfg.AllowAutoTopicCreation,
			Transport:              transport,
			Logger:                 progress,
			ErrorLogger:            problems,
		}
	}
	return &Publisher{
		writer:    writer(cfg.BatchSize),
		alone:     writer(1),
		transport: transport,
		logger:    logger,
		backoff:   backoff{min: 100 * time.Millisecond, max: time.Second, attempts: cfg.MaxAttempts},
	}, nil
}

// Publish writes messages to topic and returns once every one of them is
// acknowledged by all in-sync replicas, or with an error; after an error some
// of them may have been written. The messages of one call are sent in batches.
// A transient topic-metadata error (such as a topic being auto-created) is
// retried. Publish is safe for concurrent use and fails with
// ErrPublisherClosed after Close.
func (p *Publisher) Publish(topic string, messages ...*message.Message) error {
	p.inflight.RLock()
	defer p.inflight.RUnlock()
	if p.closed.Load() {
		return ErrPublisherClosed
	}
	if topic == "" {
		return errors.New("kafkago: publish: empty topic")
	}
	if len(messages) == 0 {
		return nil
	}
	records := make([]kafka.Message, len(messages))
	for i, msg := range messages {
		records[i] = toKafka(topic, msg)
	}
	p.logger.Trace("Publishing messages", watermill.LogFields{"topic": topic, "count": len(records)})

	// A deadline on the first message's context bounds the call (Message.SetContext): a
	// caller that cannot wait for a broker that is away sets one. Only a deadline: a
	// message republished as it was consumed (a dead letter) carries the subscription's
	// context, cancelled when the subscriber closes, and must still go out while it
	// drains. Messages already handed to the writer may still be delivered after the
	// deadline: at least once, as a retry would be.
	ctx := context.Background()
	if mctx := messages[0].Context(); mctx != nil {
		if _, ok := mctx.Deadline(); ok {
			ctx = mctx
		}
	}
	err := p.backoff.retry(ctx, func() (bool, error) {
		err := p.writer.WriteMessages(ctx, records...)
		var kerr kafka.Error
		// A bare kafka.Error (not WriteErrors) comes from the topic lookup,
		// before anything was sent, so trying again cannot duplicate messages.
		return errors.As(err, &kerr) && kerr.Temporary() && !isWriteErrors(err), err
	})
	if refused := refusedForSize(records, err); len(refused) > 0 {
		// The broker refuses a produce batch larger than the topic's max.message.bytes
		// as a whole: the messages of concurrent Publish calls that the writer batched
		// with a message too large were refused with it. The refused ones are written
		// again one per request, so that only a message too large by itself fails.
		err = p.alone.WriteMessages(ctx, refused...)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.ErrClosedPipe):
		return ErrPublisherClosed
	default:
		return fmt.Errorf("kafkago: publish %d message(s) to topic %q: %w", len(messages), topic, err)
	}
}

// Close flushes pending batches, waits for in-flight Publish calls and releases
// connections. It is idempotent and safe to call concurrently; every call
// returns the result of the first.
func (p *Publisher) Close() error {
	p.closeOnce.Do(func() {
		p.closed.Store(true)
		// writer first: its pending batches are sent and the Publish calls waiting for
		// them return, or write their refused messages again through alone, which is
		// closed once they are done.
		werr := p.writer.Close()
		p.inflight.Lock()
		p.inflight.Unlock() // a barrier: the calls in flight are done
		if err := errors.Join(werr, p.alone.Close()); err != nil {
			p.closeErr = fmt.Errorf("kafkago: close publisher: %w", err)
		}
		p.transport.CloseIdleConnections()
	})
	return p.closeErr
}

// refusedForSize returns the records of a write that the broker refused for their batch's
// size: those whose error says so when err is per message (WriteErrors) and every error
// does, else all of them when err says so; nil otherwise (a write that failed for other
// reasons too keeps its error, and so does one where a later record of the same key than
// a refused one was written: written again now, the refused one would follow it, out of
// publish order).
func refusedForSize(records []kafka.Message, err error) []kafka.Message {
	var werrs kafka.WriteErrors
	if errors.As(err, &werrs) && len(werrs) == len(records) {
		var refused []kafka.Message
		for i, e := range werrs {
			switch {
			case e == nil:
				for j := range i {
					if werrs[j] != nil && records[j].Key != nil && bytes.Equal(records[j].Key, records[i].Key) {
						return nil
					}
				}
			case errors.Is(e, kafka.MessageSizeTooLarge):
				refused = append(refused, records[i])
			default:
				return nil
			}
		}
		return refused
	}
	if errors.Is(err, kafka.MessageSizeTooLarge) {
		return records
	}
	return nil
}

func isWriteErrors(err error) bool {
	var werrs kafka.WriteErrors
	return errors.As(err, &werrs)
}

// IsTooLarge reports whether a Publish failed because a message is larger than the
// broker, the topic or the publisher's BatchBytes allows (a retry cannot help).
func IsTooLarge(err error) bool {
	var mtl kafka.MessageTooLargeError
	if errors.Is(err, kafka.MessageSizeTooLarge) || errors.As(err, &mtl) {
		return true
	}
	var werrs kafka.WriteErrors
	if errors.As(err, &werrs) {
		for _, e := range werrs {
			if e != nil && IsTooLarge(e) {
				return true
			}
		}
	}
	return false
}
