package handlers

import (
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
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

// middlewares returns the router middleware, outermost first: give-up, poison queue
// (data problems only), retry (infrastructure problems), recoverer (a panic becomes an
// error with a short reason).
func middlewares(c Config, t Topics) ([]message.HandlerMiddleware, error) {
	var dlq message.Publisher = c.Publisher
	if c.DeadLetters != nil {
		dlq = tooLargeFallback{Publisher: c.Publisher, store: c.DeadLetters}
	}
	poison, err := middleware.PoisonQueueWithFilter(dlq, t.DLQ, pipeline.IsInvalid)
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
	return append(mws, poison, retry.Middleware, recoverer), nil
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
