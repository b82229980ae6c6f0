package resolve

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/par"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/warehouse"
)

// Batcher resolves records that arrive concurrently in shared transactions (group
// commit): while one batch is being written, the records that arrive queue up and go
// together in the next one, up to Max. Nothing waits for a batch to fill: a lone record
// is written at once, so batching costs no latency and appears only under load (in
// scale-out mode one record per Kafka partition is in flight, so a consumer with six
// partitions writes up to six records per transaction).
//
// A batch that fails is retried record by record, so that one record's error fails only
// that record. With several workers, batches written at once share no lock key (see
// take), and the versions of one source record are written in the order submitted.
// Callers must not submit two versions of one source record concurrently (Kafka's
// per-partition order and the embedded bus's one-at-a-time delivery see to it).
//
// Submit queues a record without waiting for it (write-behind): with one worker, records
// are then resolved in the order submitted, a batch at a time, while the caller prepares
// the next ones (the embedded ingest normalizes on one core while the other writes).
type Batcher struct {
	Resolver *Resolver
	// Max bounds the records per transaction. Default 64.
	Max int
	// Workers is the number of transactions written concurrently. Default 1. More
	// overlap the round trips of a networked database (PostgreSQL); SQLite has one
	// writer anyway.
	Workers int
	// OnBatch, when set, is told the size of each batch written (metrics).
	OnBatch func(n int)
	// OnPrefetch, when set, is told for each pipelined batch how many of its new
	// records were scored before its transaction and used as they were (reused), and
	// how many its transaction read and scored again (reread: their keys or candidate
	// masters changed meanwhile, or the prefetch was void). Metrics.
	OnPrefetch func(reused, reread int)
	// Queue bounds the records Submit queues before it waits for room. Default 4×Max.
	Queue int
	// Linger lets a batch of submitted records fill: a loop that finds fewer than Max
	// records queued, the last by Submit, waits up to Linger for more before it writes
	// (each transaction costs a commit, and write-behind has no one waiting). A record
	// queued by Resolve, the last in the queue, is written without lingering. Default 0.
	Linger time.Duration
	// Abort, when set and cancelled, abandons the writes in flight and those to come:
	// their transactions roll back and their records get its cause as their error. A
	// record's own context never cancels its write (Submit); a run that stops gives its
	// writes a grace and then cancels Abort, so that a warehouse that does not answer
	// (a hung server) cannot hold it for good.
	Abort context.Context

	mu       sync.Mutex
	changed  *sync.Cond // the queue changed, a loop ended or a batch was written
	pending  []*call
	running  int  // loop goroutines
	draining bool // Wait is waiting: no lingering
	// held counts, by lock key, the batches being written that lock it (Workers > 1).
	held map[string]int
}

type call struct {
	ctx  context.Context
	r    *contact.Record
	pos  string
	out  Outcome
	err  error
	done chan struct{}
	then func(Outcome, error) // Submit's callback
	// keys are the keys the record's transaction will lock (Workers > 1; see take), and
	// blockKeys the record's blocking keys among them, which prepare then does not
	// compute again (nil: not computed).
	keys, blockKeys []string
}

// newCall returns the call of r, with its lock keys when the Batcher needs them (with
// several workers), computed on a long-lived goroutine (par.Stacks): the caller's is
// often a message's, whose stack the blocking keys' code grew.
func (b *Batcher) newCall(ctx context.Context, r *contact.Record, position string, then func(Outcome, error)) *call {
	c := &call{ctx: ctx, r: r, pos: position, done: make(chan struct{}), then: then}
	if b.Workers > 1 && r != nil {
		par.Stacks.Do(func() { c.keys, c.blockKeys = b.lockKeys(r) })
	}
	return c
}

// Resolve resolves r (see Resolver.Resolve), possibly in one transaction with records
// submitted concurrently, and returns its own outcome.
func (b *Batcher) Resolve(ctx context.Context, r *contact.Record, position string) (Outcome, error) {
	c := b.newCall(ctx, r, position, nil)
	b.mu.Lock()
	b.enqueue(c)
	b.mu.Unlock()
	<-c.done
	return c.out, c.err
}

// Submit queues r to be resolved after the records queued before it and returns; then is
// called with its outcome once it is written (on the Batcher's goroutine, in order with
// one worker). When Queue records wait already, Submit waits for room first. ctx is the
// record's context for the write: a cancellation does not withdraw a queued record. then
// must not call Submit with several workers: a full queue of records waiting for the keys
// of the batch whose callbacks run would wait for it for good.
func (b *Batcher) Submit(ctx context.Context, r *contact.Record, position string, then func(Outcome, error)) {
	c := b.newCall(context.WithoutCancel(ctx), r, position, then)
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.pending) >= b.queueLimit() {
		b.cond().Wait()
	}
	b.enqueue(c)
}

// Wait returns once every record submitted before the call is written and its callback
// has returned.
func (b *Batcher) Wait() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.draining = true
	b.cond().Broadcast()
	for len(b.pending) > 0 || b.running > 0 {
		b.cond().Wait()
	}
	b.draining = false
}

// lingerFor waits, b.mu held, until Max records are queued, the last one by Resolve
// (a caller waits for it), the queue is emptied by another loop, Wait is called or d
// has passed.
func (b *Batcher) lingerFor(d time.Duration) {
	expired := false
	timer := time.AfterFunc(d, func() {
		b.mu.Lock()
		expired = true
		b.cond().Broadcast()
		b.mu.Unlock()
	})
	defer timer.Stop()
	for len(b.pending) > 0 && len(b.pending) < b.max() && b.pending[len(b.pending)-1].then != nil && !b.draining && !expired {
		b.cond().Wait()
	}
}

// enqueue appends c and starts a loop if fewer than Workers run; b.mu is held.
func (b *Batcher) enqueue(c *call) {
	b.pending = append(b.pending, c)
	if b.Linger > 0 || b.Workers > 1 {
		// A lingering loop counts the records; a loop whose records all wait for
		// a batch's keys may take this one.
		b.cond().Broadcast()
	}
	if b.running < max(1, b.Workers) {
		b.running++
		go b.loop()
	}
}

func (b *Batcher) cond() *sync.Cond {
	if b.changed == nil {
		b.changed = sync.NewCond(&b.mu)
	}
	return b.changed
}

func (b *Batcher) max() int {
	if b.Max <= 0 {
		return 64
	}
	return b.Max
}

func (b *Batcher) queueLimit() int {
	if b.Queue > 0 {
		return b.Queue
	}
	return 4 * b.max()
}

// loop writes the queued records batch after batch and exits when the queue is empty.
//
// With one worker on a store that reads candidates outside transactions (SQLite's
// memory index), it pipelines: it prepares a batch (candidates read and records scored,
// see Resolver.prepare) while the one before it is being written, on another goroutine.
// The writes stay one at a time and in order, and so do the callbacks. A write holds a
// core (par.Reserve) from when it is started: the preparing of the next batch runs on
// the others, and the write does not wait for the CPU behind it (against 1M masters, a
// median of +6 % records/s over eleven interleaved pairs of runs).
func (b *Batcher) loop() {
	var writing chan struct{} // the pipelined write in progress
	for {
		b.mu.Lock()
		if len(b.pending) == 0 && writing != nil {
			// The write in progress may be what the caller waits for before
			// submitting more: wait for it, then look again.
			b.mu.Unlock()
			<-writing
			writing = nil
			continue
		}
		if len(b.pending) == 0 {
			b.running--
			b.cond().Broadcast()
			b.mu.Unlock()
			return
		}
		if b.Linger > 0 && len(b.pending) < b.max() && b.pending[len(b.pending)-1].then != nil && !b.draining {
			b.lingerFor(b.Linger)
			if len(b.pending) == 0 { // another worker took them meanwhile
				b.mu.Unlock()
				continue
			}
		}
		batch := b.take()
		if len(batch) == 0 {
			// Every queued record shares a key with a batch being written: wait
			// for one to end.
			b.cond().Wait()
			b.mu.Unlock()
			continue
		}
		b.cond().Broadcast()
		b.mu.Unlock()
		if !b.pipelined() || len(batch) == 1 {
			if writing != nil {
				<-writing
				writing = nil
			}
			b.write(batch, nil)
			b.release(batch)
			continue
		}
		p := b.prepare(batch, true) // while the batch before is being written
		if writing != nil {
			<-writing
		}
		done := make(chan struct{})
		// The write is the pipeline's slowest stage: it keeps a core while it runs, and
		// the next batch is prepared on the others (par.Reserve).
		release := par.Reserve()
		go func() {
			defer close(done)
			defer release()
			b.write(batch, p)
		}()
		writing = done
	}
}

// take removes the next batch from the queue; b.mu is held.
//
// With one worker it is the first Max records. With several, batches written at once
// would wait for each other's key locks (the resolver locks every record's blocking keys
// for its whole transaction, and two batches of a stream almost always share a key, so
// the workers took turns): a record that shares a lock key with a batch being written,
// or with a record passed over before it, is passed over and stays queued in order, and
// the batch takes the next ones (in a stream of 5 000 generated records, 15 % of a batch
// of 116 shares a key with the batch before). It may be empty when every queued record
// is passed over. The locks still guarantee one master per entity: this only keeps the
// workers from queueing on them.
func (b *Batcher) take() []*call {
	if b.Workers <= 1 {
		n := min(len(b.pending), b.max())
		batch := b.pending[:n:n]
		b.pending = b.pending[n:]
		return batch
	}
	if b.held == nil {
		b.held = map[string]int{}
	}
	var batch, rest []*call
	var passed map[string]bool // the keys of the records passed over
	for i, c := range b.pending {
		if len(batch) == b.max() {
			rest = append(rest, b.pending[i:]...)
			break
		}
		free := true
		for _, k := range c.keys {
			if b.held[k] > 0 || passed[k] {
				free = false
				break
			}
		}
		if !free {
			if passed == nil {
				passed = map[string]bool{}
			}
			for _, k := range c.keys {
				passed[k] = true
			}
			rest = append(rest, c)
			continue
		}
		batch = append(batch, c)
	}
	for _, c := range batch {
		for _, k := range c.keys {
			b.held[k]++
		}
	}
	b.pending = rest
	return batch
}

// release gives back the lock keys of a batch written (see take) and wakes the loops
// waiting for them.
func (b *Batcher) release(batch []*call) {
	if b.Workers <= 1 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range batch {
		for _, k := range c.keys {
			if b.held[k]--; b.held[k] <= 0 {
				delete(b.held, k)
			}
		}
	}
	b.cond().Broadcast()
}

// lockKeys returns the keys r's transaction will lock, for take, and r's blocking keys
// among them (newCall asks only with several workers). A record whose blocking keys
// cannot be computed (its transaction will fail on them) gets its own key only: it still
// waits for the versions of its record before it, and the transactions' locks order it
// against the others.
func (b *Batcher) lockKeys(r *contact.Record) (keys, blockKeys []string) {
	defer func() {
		if recover() != nil {
			keys, blockKeys = b.Resolver.lockKeys(r, nil), nil
		}
	}()
	blockKeys = b.Resolver.Engine.BlockKeys(r.Norm)
	return b.Resolver.lockKeys(r, blockKeys), blockKeys
}

// pipelined reports whether loop prepares a batch while the one before is written.
func (b *Batcher) pipelined() bool {
	if b.Workers > 1 {
		return false
	}
	pf, ok := b.Resolver.Store.(warehouse.Prefetcher)
	return ok && pf.Prefetches()
}

// prepare does a batch's work that needs no transaction (see Resolver.prepare).
func (b *Batcher) prepare(batch []*call, prefetch bool) *prepared {
	recs := make([]*contact.Record, len(batch))
	pos := make([]string, len(batch))
	keys := make([][]string, len(batch))
	for i, c := range batch {
		recs[i], pos[i], keys[i] = c.r, c.pos, c.blockKeys
	}
	ctx, cancel := b.workCtx(batch[0].ctx)
	defer cancel()
	p := b.Resolver.prepare(ctx, recs, pos, keys, prefetch)
	if prefetch {
		p.report = b.OnPrefetch
	}
	return p
}

// write writes a batch, prepared already or not (p nil).
func (b *Batcher) write(batch []*call, p *prepared) {
	defer func() {
		for _, c := range batch {
			if c.then != nil {
				c.then(c.out, c.err)
			}
			close(c.done)
		}
	}()
	if b.OnBatch != nil {
		b.OnBatch(len(batch))
	}
	if len(batch) == 1 {
		c := batch[0]
		c.out, c.err = b.resolveOne(c)
		return
	}
	if p == nil {
		p = b.prepare(batch, false)
	}
	// The batch outlives any one caller's cancellation: the records are written
	// together or not at all, and each caller is waiting for its answer.
	var outs []Outcome
	err := recovered(func() (err error) {
		ctx, cancel := b.workCtx(batch[0].ctx)
		defer cancel()
		outs, err = b.Resolver.commit(ctx, p)
		return err
	})
	if err == nil {
		for i, c := range batch {
			c.out = outs[i]
		}
		return
	}
	for _, c := range batch {
		c.out, c.err = b.resolveOne(c)
	}
}

// resolveOne resolves one queued record, a panic turned into its error.
func (b *Batcher) resolveOne(c *call) (o Outcome, err error) {
	err = recovered(func() (err error) {
		ctx, cancel := b.workCtx(c.ctx)
		defer cancel()
		o, err = b.Resolver.Resolve(ctx, c.r, c.pos)
		return err
	})
	// The drivers answer an abandoned write with the context's error: its cause says why.
	if err != nil && b.Abort != nil && b.Abort.Err() != nil && errors.Is(err, context.Canceled) {
		err = fmt.Errorf("%w (%w)", context.Cause(b.Abort), err)
	}
	return o, err
}

// workCtx is the context of a write for a record's context: ctx's values without its
// cancellation, cancelled with Abort (its cause).
func (b *Batcher) workCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx = context.WithoutCancel(ctx)
	if b.Abort == nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(b.Abort, func() { cancel(context.Cause(b.Abort)) })
	return ctx, func() { stop(); cancel(nil) }
}

// recovered runs fn and turns a panic into a data error (pipeline.Panicked, which names
// the function that panicked): the Batcher's goroutine is not the handler's, whose
// middleware would dead-letter the record that made it panic (a batch that fails is
// retried record by record, so the error ends on that record).
func recovered(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = pipeline.Panicked(p)
		}
	}()
	return fn()
}
