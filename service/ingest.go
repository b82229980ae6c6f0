package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/steward-crm/steward/handlers"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/resolve"
	"github.com/steward-crm/steward/warehouse"
)

// IngestOptions configure an embedded ingest run.
type IngestOptions struct {
	// Inputs are file names; "-" is stdin.
	Inputs []string
	// Input configures formats and the CSV mapping.
	Input input.Options
	// Progress, when set, receives progress reports about every ProgressEvery.
	Progress func(p Progress)
	// ProgressEvery is the progress period. Default 1s.
	ProgressEvery time.Duration
	// Events, when set, is a file the golden-record change events are appended to as
	// JSON lines, forwarded from the outbox during the run (the embedded default's
	// contacts.golden); the events forwarded are then pruned from the outbox as `run`
	// prunes them (kafka.outbox_retention). Every event pending in the outbox goes to
	// the file, earlier runs' too: not for a warehouse whose events a `steward run`
	// forwards to Kafka. Without it the events wait in the outbox for a `steward run` or
	// a later ingest with Events.
	Events string
	// NoEvents: no change events are written (the outbox is not used); the audit log
	// still records every change.
	NoEvents bool
	// HTTP, when set, is an address the run serves /metrics, /healthz and /readyz on
	// while it lasts, as steward run does: the handlers' message counts and durations,
	// the resolve outcomes, batch sizes and prefetch use, Go's and the process's
	// figures (a long ingest watched by Prometheus). Empty: none.
	HTTP string
	// Ready, when set, is called with the HTTP server's bound address once the pipeline
	// runs (with HTTP ":0", the port chosen).
	Ready func(addr string)
}

// Progress is a snapshot of a running ingest.
type Progress struct {
	File       string
	BytesRead  int64
	BytesTotal int64 // 0 when unknown (stdin)
	Summary    IngestSummary
}

// IngestSummary counts what an ingest did. Read = Accepted + DeadLettered, always.
type IngestSummary struct {
	Read           int64         `json:"read"`
	Accepted       int64         `json:"accepted"`
	DeadLettered   int64         `json:"dead_lettered"`
	MastersCreated int64         `json:"masters_created"`
	Linked         int64         `json:"linked"`
	Updated        int64         `json:"updated"`
	Unchanged      int64         `json:"unchanged"`
	Stale          int64         `json:"stale"`
	Withdrawn      int64         `json:"withdrawn"`
	ReviewItems    int64         `json:"review_items"`
	SkippedKeys    int64         `json:"skipped_block_keys"`
	Duration       time.Duration `json:"duration_ns"`
	// Advice holds hints on the rules for the warehouse as the run left it (PriorAdvice);
	// empty, not null, in JSON, as in stats.
	Advice []string `json:"advice"`

	// WithdrawnUnknown counts withdrawals of records the warehouse never received,
	// stored so that an older version arriving after them is stale.
	WithdrawnUnknown int64 `json:"withdrawn_unknown"`
}

type counters struct {
	read, dead, created, linked, updated, unchanged, stale, withdrawn, withdrawnUnknown, reviews, skipped atomic.Int64
}

func (c *counters) summary() IngestSummary {
	s := IngestSummary{
		Read: c.read.Load(), DeadLettered: c.dead.Load(), MastersCreated: c.created.Load(),
		Linked: c.linked.Load(), Updated: c.updated.Load(), Unchanged: c.unchanged.Load(),
		Stale: c.stale.Load(), Withdrawn: c.withdrawn.Load(), ReviewItems: c.reviews.Load(),
		SkippedKeys: c.skipped.Load(), Advice: []string{}, WithdrawnUnknown: c.withdrawnUnknown.Load(),
	}
	s.Accepted = s.MastersCreated + s.Linked + s.Updated + s.Unchanged + s.Stale + s.Withdrawn + s.WithdrawnUnknown
	return s
}

func (c *counters) observe(_ string, o resolve.Outcome) {
	switch o.Action {
	case resolve.ActionNewMaster:
		c.created.Add(1)
	case resolve.ActionLinked:
		c.linked.Add(1)
	case resolve.ActionUpdated:
		c.updated.Add(1)
	case resolve.ActionUnchanged:
		c.unchanged.Add(1)
	case resolve.ActionStale:
		c.stale.Add(1)
	case resolve.ActionWithdrawn:
		c.withdrawn.Add(1)
	case resolve.ActionWithdrawnUnknown:
		c.withdrawnUnknown.Add(1)
	}
	c.reviews.Add(int64(o.Reviews))
	c.skipped.Add(int64(len(o.SkippedKeys)))
}

// Ingest runs the embedded pipeline: it reads the inputs, publishes every record on the
// in-process GoChannel bus, and the router (Normalize → Identify → Resolve, dead letters
// into the warehouse) processes them. Publishing blocks until the record is queued for
// writing or dead-lettered, so records keep the order of the input. The resolve handler
// writes behind: one writer resolves the queued records in that order, in batches of up
// to kafka.resolve_batch, while the next ones are normalized; the outcome is the one of
// resolving them one at a time (a batch decides its records one after the other, see
// resolve), and memory stays bounded (the queue holds at most four batches). A record
// that cannot be resolved for a data problem is dead-lettered with stage "resolve"; any
// other write error stops the run.
func (s *Service) Ingest(ctx context.Context, opts IngestOptions) (IngestSummary, error) {
	start := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	wlog := s.watermillLogger()
	bus := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, wlog)
	var c counters
	var failMu sync.Mutex
	var failure error
	stop := func(err error) {
		failMu.Lock()
		defer failMu.Unlock()
		if failure == nil {
			failure = err
			cancel(failure)
		}
	}
	if opts.Events != "" && opts.NoEvents {
		return IngestSummary{}, errors.New("ingest: an events file and no events: choose one")
	}
	// The run's own resolver: NoEvents is this run's, not the service's.
	rs := *s.Resolver
	if opts.NoEvents {
		rs.NoEvents = true
	}
	// finishEvents stops the events file's forwarder, which flushes what is left.
	finishEvents := func() error { return nil }
	if opts.Events != "" {
		sink, err := openFileSink(opts.Events)
		if err != nil {
			return IngestSummary{}, err
		}
		fwdCtx, stopFwd := context.WithCancel(context.WithoutCancel(ctx))
		fwd := newForwarder(s.Store, sink, "", s.Config.Kafka.OutboxInterval, s.Config.Kafka.OutboxRetention, nil, s.Config.Logger)
		forwarded := make(chan error, 1)
		go func() { forwarded <- errors.Join(fwd.run(fwdCtx), sink.Close()) }()
		finishEvents = sync.OnceValue(func() error {
			stopFwd()
			if err := <-forwarded; err != nil {
				return fmt.Errorf("events file: %w", err)
			}
			return nil
		})
		defer finishEvents() // on an early return
	}
	dls := &handlers.DeadLetters{Store: s.Store, Observe: func(warehouse.DeadLetter) { c.dead.Add(1) }}
	writer := &resolve.Batcher{Resolver: &rs, Max: s.Config.Kafka.ResolveBatch, Workers: 1, Linger: ingestLinger}
	// A stop lets the records read be written for StopGrace; past it their writes are
	// abandoned (rolled back): a warehouse that does not answer (a hung server, a network
	// that drops packets) held the stopped run for good, deaf to the first signal.
	abortCtx, abort := context.WithCancelCause(context.Background())
	defer abort(nil) // the run's end: the watch below ends with it
	writer.Abort = abortCtx
	go func() {
		select {
		case <-ctx.Done():
		case <-abortCtx.Done():
			return
		}
		select {
		case <-time.After(StopGrace):
			abort(fmt.Errorf("stopped, and the warehouse did not finish the writes in flight within %s: they were rolled back", StopGrace))
		case <-abortCtx.Done():
		}
	}()
	observe := c.observe
	var middleware []message.HandlerMiddleware
	var ops *opsServer
	if opts.HTTP != "" {
		reg, metrics := newMetrics()
		middleware = append(middleware, metrics.Middleware)
		observe = func(key string, o resolve.Outcome) {
			c.observe(key, o)
			metrics.Outcomes.WithLabelValues(string(o.Action)).Inc()
		}
		countBatches(metrics, writer)
		var err error
		if ops, err = newOpsServer(opts.HTTP, reg, s.warehouseUp, nil, s.Config.Logger); err != nil {
			return IngestSummary{}, fmt.Errorf("ingest: %w", err)
		}
		defer ops.close()
	}
	router, err := handlers.NewRouter(handlers.Config{
		Subscriber: bus,
		Publisher:  bus,
		Normalize:  &handlers.Normalize{Chain: s.NormalizeChain},
		Identify:   &handlers.Identify{Chain: s.IdentifyChain},
		Middleware: middleware,
		Resolve: &handlers.Resolve{Resolver: &rs, Batcher: writer, WriteBehind: true, Observe: observe,
			OnWriteError: func(key, position string, payload []byte, err error) {
				if !errors.Is(err, pipeline.ErrInvalidRecord) {
					stop(fmt.Errorf("%s (%s): %w", position, key, err))
					return
				}
				dl := warehouse.DeadLetter{Position: position, Stage: handlers.ResolveHandler, Reason: err.Error(), SourceKey: key, Payload: payload}
				if err := dls.Add(context.WithoutCancel(ctx), dl); err != nil {
					stop(fmt.Errorf("%s (%s): dead letter: %w", position, key, err))
				}
			}},
		DeadLetters: dls,
		OnGiveUp: func(msg *message.Message, err error) {
			stop(fmt.Errorf("%s: %w", msg.Metadata.Get(handlers.PositionMetadata), err))
		},
		Logger: wlog,
	})
	if err != nil {
		return IngestSummary{}, err
	}
	runErr := make(chan error, 1)
	go func() { runErr <- router.Run(context.WithoutCancel(ctx)) }()
	select {
	case <-router.Running():
	case err := <-runErr:
		return IngestSummary{}, fmt.Errorf("router: %w", err)
	}
	if ops != nil {
		ops.ready.Store(true)
		if opts.Ready != nil {
			opts.Ready(ops.Addr())
		}
	}
	readErr := s.publishInputs(ctx, bus, opts, &c, dls)
	closeErr := router.Close()
	writer.Wait() // the records queued are written (or a failure is recorded)
	if err := <-runErr; err != nil && closeErr == nil {
		closeErr = err
	}
	if err := finishEvents(); err != nil {
		stop(err)
	}
	bus.Close()
	sum := c.summary()
	sum.Duration = time.Since(start)
	failMu.Lock()
	defer failMu.Unlock()
	if failure != nil {
		return sum, fmt.Errorf("ingest stopped: %w", failure)
	}
	if readErr != nil {
		return sum, readErr
	}
	if closeErr != nil {
		return sum, fmt.Errorf("router: %w", closeErr)
	}
	if sum.Read != sum.Accepted+sum.DeadLettered {
		return sum, fmt.Errorf("ingest: %d records read but %d accepted and %d dead-lettered: records were lost", sum.Read, sum.Accepted, sum.DeadLettered)
	}
	// A hint: the records are written, and a count that fails does not fail the run.
	if a, err := s.priorAdvice(context.WithoutCancel(ctx)); err != nil {
		s.Config.Logger.Warn("ingest: source records not counted for the prior's advice", "error", err)
	} else if a != "" {
		sum.Advice = append(sum.Advice, a)
	}
	return sum, nil
}

// ingestLinger is how long the ingest's writer waits for a batch to fill: a batch of one
// record is a transaction, and its commit, per record.
const ingestLinger = 20 * time.Millisecond

// StopGrace is how long a stopped ingest waits for the records it read to be written
// before it abandons the writes in flight (a var: tests shorten it).
var StopGrace = 10 * time.Second

func (s *Service) publishInputs(ctx context.Context, pub message.Publisher, opts IngestOptions, c *counters, dls *handlers.DeadLetters) error {
	every := opts.ProgressEvery
	if every == 0 {
		every = time.Second
	}
	topic := handlers.Topics{}.WithDefaults().Raw
	for _, name := range opts.Inputs {
		rd, closeFn, err := input.OpenContext(ctx, name, opts.Input)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		total := fileSize(name)
		last := time.Now()
		report := func() {
			if opts.Progress != nil {
				opts.Progress(Progress{File: name, BytesRead: rd.BytesRead(), BytesTotal: total, Summary: c.summary()})
			}
		}
		for {
			if err := context.Cause(ctx); err != nil {
				closeFn()
				return err
			}
			it, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				closeFn()
				if cause := context.Cause(ctx); cause != nil {
					return cause // a stop while stdin waited
				}
				return fmt.Errorf("ingest %s: %w", name, err)
			}
			c.read.Add(1)
			if it.Err != nil {
				// Unreadable before the bus (bad CSV row, overlong line): straight to the
				// dead letters, with the same fields as the DLQ handler writes.
				if err := dls.Add(ctx, readDeadLetter(it)); err != nil {
					closeFn()
					return err
				}
				continue
			}
			if err := pub.Publish(topic, handlers.NewRawMessage(it.Payload, it.Key, it.Position)); err != nil {
				closeFn()
				return fmt.Errorf("publish %s: %w", it.Position, err)
			}
			if time.Since(last) >= every {
				report()
				last = time.Now()
			}
		}
		report()
		if err := closeFn(); err != nil && name != "-" {
			return err
		}
	}
	return nil
}
