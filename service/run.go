package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/steward-crm/steward/handlers"
	"github.com/steward-crm/steward/resolve"
)

// RunOptions tune steward run.
type RunOptions struct {
	// Ready, when set, is called with the HTTP address once the router runs.
	Ready func(httpAddr string)
}

// Run is the scale-out mode: it consumes the raw topic from Kafka in consumer groups
// (one per handler; kafka.stages fused: one handler for the three stages), runs
// Normalize → Identify → Resolve into the warehouse, stores the
// DLQ in dead_letters, publishes golden-record change events from the outbox, and serves
// /metrics, /healthz and /readyz. It returns when ctx ends (SIGTERM), after in-flight
// messages are finished and the outbox flushed. Offsets are committed only after a
// message is acked: a crash redelivers, and resolution is idempotent.
func (s *Service) Run(ctx context.Context, opts RunOptions) error {
	log := s.Config.Logger
	wlog := s.watermillLogger()
	if err := s.EnsureTopics(ctx); err != nil {
		return err
	}
	pub, err := s.publisher(wlog, false) // many handlers publish at once: batch them
	if err != nil {
		return err
	}
	defer pub.Close()
	// The outbox forwarder has its own publisher: the router closes the handlers'
	// publisher when it stops, and the forwarder flushes the outbox after that.
	// Batched as the handlers' publisher is: a batch of up to 500 events, one message
	// per request, took minutes to fail against a broker that was away (ten attempts
	// each), holding the outbox's transaction all that time.
	outboxPub, err := s.publisher(wlog, false)
	if err != nil {
		return err
	}
	defer outboxPub.Close()
	fused := s.Config.Kafka.Stages == StagesFused
	consumers := []string{handlers.NormalizeHandler, handlers.IdentifyHandler, handlers.ResolveHandler, handlers.DeadLetterHandler}
	if fused {
		consumers = []string{handlers.NormalizeHandler, handlers.DeadLetterHandler}
	}
	subs := map[string]message.Subscriber{}
	for _, h := range consumers {
		sub, err := s.subscriber(h, wlog)
		if err != nil {
			return err
		}
		defer sub.Close()
		subs[h] = sub
	}
	reg, metrics := newMetrics()
	topics := s.Config.Kafka.Topics
	outputs := []string{topics.DLQ}
	if !fused {
		outputs = append(outputs, topics.Clean, topics.Enriched)
	}
	router, err := handlers.NewRouter(handlers.Config{
		Topics:      topics,
		Subscribers: subs,
		Publisher:   metrics.Publisher(pub, outputs...),
		Fused:       fused,
		Middleware:  []message.HandlerMiddleware{metrics.Middleware},
		Normalize:   &handlers.Normalize{Chain: s.NormalizeChain},
		Identify:    &handlers.Identify{Chain: s.IdentifyChain},
		Resolve: &handlers.Resolve{Resolver: s.Resolver, Batcher: countBatches(metrics, &resolve.Batcher{Resolver: s.Resolver, Max: s.Config.Kafka.ResolveBatch, Workers: s.resolveWorkers()}),
			Observe: func(_ string, o resolve.Outcome) {
				metrics.Outcomes.WithLabelValues(string(o.Action)).Inc()
			}},
		DeadLetters: &handlers.DeadLetters{Store: s.Store},
		Logger:      wlog,
	})
	if err != nil {
		return err
	}
	lagGroups := map[string]string{s.Config.Kafka.Group + "." + handlers.NormalizeHandler: topics.Raw}
	if !fused {
		lagGroups[s.Config.Kafka.Group+"."+handlers.IdentifyHandler] = topics.Clean
		lagGroups[s.Config.Kafka.Group+"."+handlers.ResolveHandler] = topics.Enriched
	}
	lag := newLagCollector(s.Config.Kafka.Brokers, lagGroups, reg)
	ops, err := newOpsServer(s.Config.HTTP.Addr, reg, s.warehouseUp, func() error { return lag.brokerErr(brokerStale) }, log)
	if err != nil {
		return err
	}
	defer ops.close()

	// Before consuming: the count (one COUNT of the live source records) delays neither
	// readiness nor the handling of a stop.
	if a, err := s.priorAdvice(ctx); err != nil {
		log.Warn("steward run: source records not counted for the prior's advice", "error", err)
	} else if a != "" {
		log.Warn("steward run: " + a)
	}

	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	fwd := newForwarder(s.Store, metrics.Publisher(outboxPub, topics.Golden), topics.Golden, s.Config.Kafka.OutboxInterval, s.Config.Kafka.OutboxRetention, reg, log)
	// Room for the message's headers (its id, key and outbox id) within what the
	// publisher sends and the golden topic takes.
	fwd.maxBytes = maxMessageBytes - 4<<10
	fwd.bounded = true
	var fwdErr error
	wg.Add(2)
	go func() { defer wg.Done(); fwdErr = fwd.run(bg) }()
	go func() { defer wg.Done(); lag.run(bg, lagEvery) }()

	runErr := make(chan error, 1)
	go func() { runErr <- router.Run(context.WithoutCancel(ctx)) }()
	select {
	case <-router.Running():
	case err := <-runErr:
		stopBG()
		wg.Wait()
		return fmt.Errorf("router: %w", err)
	}
	ops.ready.Store(true)
	log.Info("steward run: consuming", "topic", topics.Raw, "brokers", s.Config.Kafka.Brokers, "http", ops.Addr())
	if opts.Ready != nil {
		opts.Ready(ops.Addr())
	}
	var err2 error
	select {
	case <-ctx.Done():
		log.Info("steward run: stopping, finishing in-flight messages")
	case err2 = <-runErr:
	}
	ops.ready.Store(false)
	closeErr := router.Close()
	if err2 == nil {
		err2 = <-runErr
	}
	stopBG() // the forwarder flushes the outbox before returning
	wg.Wait()
	return errors.Join(err2, closeErr, fwdErr)
}

// lagEvery is how often the consumer lag is read; /readyz fails once the brokers have
// not been reached for brokerStale (six polls).
const (
	lagEvery    = 5 * time.Second
	brokerStale = 30 * time.Second
)

// resolveWorkers is kafka.resolve_workers for PostgreSQL (default 2) and 1 for SQLite.
func (s *Service) resolveWorkers() int {
	if !IsPostgres(s.Config.Database) {
		return 1
	}
	if w := s.Config.Kafka.ResolveWorkers; w > 0 {
		return w
	}
	return 2
}
