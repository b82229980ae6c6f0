package handlers

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
)

// RetryConfig configures the retry of infrastructure errors. Zero values mean the defaults
// on each field.
type RetryConfig struct {
	// MaxRetries is the number of retries after the first failure. Default 5.
	MaxRetries int `yaml:"max_retries"`
	// InitialInterval is the first backoff. Default 100ms; it doubles up to MaxInterval.
	InitialInterval time.Duration `yaml:"initial_interval"`
	// MaxInterval caps the backoff. Default 5s.
	MaxInterval time.Duration `yaml:"max_interval"`
}

// middlewares returns the router middleware, outermost first: give-up, withheld reason
// (a dead letter that could not be published), poison queue (data problems only), retry
// (infrastructure problems), recoverer (a panic becomes an error with a short reason).
func middlewares(c Config, t Topics) ([]message.HandlerMiddleware, error) {
	var dlq message.Publisher = c.Publisher
	if c.DeadLetters != nil {
		dlq = tooLargeFallback{Publisher: c.Publisher, store: c.DeadLetters}
	}
	poison, err := middleware.PoisonQueueWithFilter(markingPublisher{dlq}, t.DLQ, pipeline.IsInvalid)
	if err != nil {
		return nil, err
	}
	rc := c.Retry
	if rc.MaxRetries == 0 {
		rc.MaxRetries = 5
	}
	if rc.InitialInterval == 0 {
		rc.InitialInterval = 100 * time.Millisecond
	}
	if rc.MaxInterval == 0 {
		rc.MaxInterval = 5 * time.Second
	}
	retry := middleware.Retry{
		MaxRetries:      rc.MaxRetries,
		InitialInterval: rc.InitialInterval,
		MaxInterval:     rc.MaxInterval,
		Multiplier:      2,
		Logger:          c.Logger,
		ShouldRetry: func(p middleware.RetryParams) bool {
			return !pipeline.IsInvalid(p.Err)
		},
	}
	mws := []message.HandlerMiddleware{}
	if c.OnGiveUp != nil {
		mws = append(mws, giveUp(c.OnGiveUp))
	}
	return append(mws, withholdReason, poison, retry.Middleware, recoverer), nil
}

// unpublishedError is the dead-letter publisher's failure (markingPublisher).
type unpublishedError struct{ err error }

func (e *unpublishedError) Error() string { return e.err.Error() }
func (e *unpublishedError) Unwrap() error { return e.err }

// markingPublisher marks the errors of the dead-letter publisher, for withholdReason.
type markingPublisher struct{ message.Publisher }

// Publish implements message.Publisher.
func (p markingPublisher) Publish(topic string, msgs ...*message.Message) error {
	if err := p.Publisher.Publish(topic, msgs...); err != nil {
		return &unpublishedError{err}
	}
	return nil
}

// withholdReason replaces the error of a message whose dead letter could not be
// published (the poison queue returns the data error joined with the publish error; the
// message is nacked, and the router logs the error at every delivery) by one naming the
// record (position, key), the stage and the field, wrapping the publish error: the data
// error's reason may quote the record's values (an e-mail address given as op, a stage's
// panic value), which its dead letter shows the operator on purpose and no log line may.
func withholdReason(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		var u *unpublishedError
		if err == nil || !errors.As(err, &u) {
			return out, err
		}
		what := msg.Metadata.Get(PositionMetadata)
		if k := msg.Metadata.Get(KeyMetadata); k != "" {
			what += " (" + k + ")"
		}
		field := ""
		if fe := (*contact.FieldError)(nil); errors.As(err, &fe) && fe.Field != "" {
			field = ", field " + fe.Field
		}
		return out, fmt.Errorf("record %s refused (stage %s%s; the reason goes with its dead letter), and its dead letter was not published: %w",
			what, msg.Metadata.Get(StageMetadata), field, u.err)
	}
}

// giveUp acks a message whose infrastructure error survived every retry and reports it.
func giveUp(report func(*message.Message, error)) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err != nil {
				report(msg, err)
				return nil, nil
			}
			return out, nil
		}
	}
}

// recoverer turns a panic into a data error (the record is dead-lettered: a record that
// panics a stage will panic it again) with the panic value's first line and the function
// that panicked (pipeline.Panicked): a whole stack trace is no dead-letter reason.
func recoverer(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) (out []*message.Message, err error) {
		defer func() {
			if p := recover(); p != nil {
				// The handler that panicked (the router names it in the message's
				// context); a stage left by an earlier attempt of the message (retry) is
				// not where this one panicked.
				stage := "panic"
				if h := message.HandlerNameFromCtx(msg.Context()); h != "" {
					stage = h + "/panic"
				}
				msg.Metadata.Set(StageMetadata, stage)
				err = pipeline.Panicked(p)
			}
		}()
		return h(msg)
	}
}
