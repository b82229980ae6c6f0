package resolve

import (
	"context"
	"sync"

	"github.com/steward-crm/steward/contact"
)

// Batcher resolves records that arrive concurrently in shared transactions (group
// commit): while one batch is being written, the records that arrive queue up and go
// together in the next one, up to Max. Nothing waits for a batch to fill: a lone record
// is written at once, so batching costs no latency and appears only under load (in
// scale-out mode one record per Kafka partition is in flight, so a consumer with six
// partitions writes up to six records per transaction).
//
// A batch that fails is retried record by record, so that one record's error fails only
// that record. Callers must not submit two versions of one source record concurrently
// (Kafka's per-partition order and the embedded bus's one-at-a-time delivery see to it).
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

	mu      sync.Mutex
	pending []*call
	running int // loop goroutines
}

type call struct {
	ctx  context.Context
	r    *contact.Record
	pos  string
	out  Outcome
	err  error
	done chan struct{}
}

// Resolve resolves r (see Resolver.Resolve), possibly in one transaction with records
// submitted concurrently, and returns its own outcome.
func (b *Batcher) Resolve(ctx context.Context, r *contact.Record, position string) (Outcome, error) {
	c := &call{ctx: ctx, r: r, pos: position, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	if b.running < max(1, b.Workers) {
		b.running++
		go b.loop()
	}
	b.mu.Unlock()
	<-c.done
	return c.out, c.err
}

// loop writes the queued records batch after batch and exits when the queue is empty.
func (b *Batcher) loop() {
	max := b.Max
	if max <= 0 {
		max = 64
	}
	for {
		b.mu.Lock()
		if len(b.pending) == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		n := min(len(b.pending), max)
		batch := b.pending[:n:n]
		b.pending = b.pending[n:]
		b.mu.Unlock()
		b.write(batch)
	}
}

func (b *Batcher) write(batch []*call) {
	defer func() {
		for _, c := range batch {
			close(c.done)
		}
	}()
	if b.OnBatch != nil {
		b.OnBatch(len(batch))
	}
	if len(batch) == 1 {
		c := batch[0]
		c.out, c.err = b.Resolver.Resolve(c.ctx, c.r, c.pos)
		return
	}
	recs := make([]*contact.Record, len(batch))
	pos := make([]string, len(batch))
	for i, c := range batch {
		recs[i], pos[i] = c.r, c.pos
	}
	// The batch outlives any one caller's cancellation: the records are written
	// together or not at all, and each caller is waiting for its answer.
	outs, err := b.Resolver.ResolveBatch(context.WithoutCancel(batch[0].ctx), recs, pos)
	if err == nil {
		for i, c := range batch {
			c.out = outs[i]
		}
		return
	}
	for _, c := range batch {
		c.out, c.err = b.Resolver.Resolve(c.ctx, c.r, c.pos)
	}
}
