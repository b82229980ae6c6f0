package handlers

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// Topics names the pipeline's topics. The zero value means the defaults on each field.
type Topics struct {
	// Raw carries records as upstream systems send them. Default "contacts.raw".
	Raw string `yaml:"raw"`
	// Clean carries validated, normalized records. Default "contacts.clean".
	Clean string `yaml:"clean"`
	// Enriched carries records with company identifiers and enrichment. Default
	// "contacts.enriched".
	Enriched string `yaml:"enriched"`
	// DLQ carries records that could not be processed, with the reason in the metadata.
	// Default "contacts.dlq".
	DLQ string `yaml:"dlq"`
	// Golden carries golden-record change events from the outbox. Default
	// "contacts.golden".
	Golden string `yaml:"golden"`
}

// WithDefaults returns t with empty names set to their defaults.
func (t Topics) WithDefaults() Topics {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&t.Raw, "contacts.raw")
	def(&t.Clean, "contacts.clean")
	def(&t.Enriched, "contacts.enriched")
	def(&t.DLQ, "contacts.dlq")
	def(&t.Golden, "contacts.golden")
	return t
}

// Config wires the router.
type Config struct {
	Topics Topics
	// Subscriber and Publisher are the pub/sub (GoChannel or Kafka). The router does not
	// close Publisher: the caller does, after the router has stopped.
	Subscriber message.Subscriber
	Publisher  message.Publisher
	// Subscribers, when set, gives a handler its own subscriber by handler name (Kafka:
	// one consumer group per handler); handlers not in it use Subscriber.
	Subscribers map[string]message.Subscriber
	// Middleware is added outside the standard middleware (metrics, tracing).
	Middleware []message.HandlerMiddleware
	Normalize  *Normalize
	Identify   *Identify
	Resolve    *Resolve
	// Fused runs Normalize, Identify and Resolve in one handler on the raw topic (see
	// Fused); the clean and enriched topics are then neither written nor read. Its
	// subscriber is the Normalize handler's (same consumer group, same raw offsets).
	Fused bool
	// DeadLetters, when set, consumes the DLQ topic into the warehouse (embedded mode).
	DeadLetters *DeadLetters
	// Retry configures retries of infrastructure errors.
	Retry RetryConfig
	// OnGiveUp, when set, is called with an infrastructure error that survived every retry,
	// and the message is then acked instead of redelivered forever: the embedded mode
	// stops the run with that error. When nil the message is nacked (redelivered).
	OnGiveUp func(msg *message.Message, err error)
	// CloseTimeout bounds how long Close waits for in-flight messages. Default 30s.
	CloseTimeout time.Duration
	Logger       watermill.LoggerAdapter
}

// Validate reports every missing part.
func (c *Config) Validate() error {
	var errs []error
	if c.Subscriber == nil && len(c.Subscribers) == 0 {
		errs = append(errs, errors.New("handlers: Subscriber is required"))
	}
	if c.Publisher == nil {
		errs = append(errs, errors.New("handlers: Publisher is required"))
	}
	if c.Normalize == nil || c.Identify == nil || c.Resolve == nil {
		errs = append(errs, errors.New("handlers: Normalize, Identify and Resolve are required"))
	}
	return errors.Join(errs...)
}

// NewRouter builds the router: Normalize (raw → clean), Identify (clean → enriched),
// Resolve (enriched → warehouse), or the three fused in one handler (raw → warehouse),
// and, when configured, DeadLetters (dlq → warehouse).
func NewRouter(c Config) (*message.Router, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	t := c.Topics.WithDefaults()
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
	if c.CloseTimeout == 0 {
		c.CloseTimeout = 30 * time.Second
	}
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: c.CloseTimeout}, c.Logger)
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	mw, err := middlewares(c, t)
	if err != nil {
		return nil, err
	}
	r.AddMiddleware(c.Middleware...)
	r.AddMiddleware(mw...)
	sub := func(handler string) message.Subscriber {
		if s, ok := c.Subscribers[handler]; ok {
			return s
		}
		return c.Subscriber
	}
	if c.Fused {
		f := &Fused{Normalize: c.Normalize, Identify: c.Identify, Resolve: c.Resolve}
		r.AddConsumerHandler(FusedHandler, t.Raw, sub(NormalizeHandler), f.Handle)
	} else {
		// Normalize and Identify publish their outputs themselves (publishOutputs), so
		// that an output the next topic refuses for its size is dead-lettered instead of
		// nacked forever. The router gets no publisher, and so closes none: Watermill
		// closes a handler's publisher as soon as that handler's subscription ends,
		// while the other handlers' messages in flight (and the dead-letter middleware)
		// still publish through it. The caller closes c.Publisher once the router has
		// stopped.
		r.AddConsumerHandler(NormalizeHandler, t.Raw, sub(NormalizeHandler), publishOutputs(c.Publisher, t.Clean, NormalizeHandler, c.Normalize.Handle))
		r.AddConsumerHandler(IdentifyHandler, t.Clean, sub(IdentifyHandler), publishOutputs(c.Publisher, t.Enriched, IdentifyHandler, c.Identify.Handle))
		r.AddConsumerHandler(ResolveHandler, t.Enriched, sub(ResolveHandler), c.Resolve.Handle)
	}
	if c.DeadLetters != nil {
		// A dead letter that cannot be stored is retried like any infrastructure error;
		// a data error here cannot happen (the payload is stored as bytes).
		r.AddConsumerHandler(DeadLetterHandler, t.DLQ, sub(DeadLetterHandler), c.DeadLetters.Handle)
	}
	return r, nil
}
