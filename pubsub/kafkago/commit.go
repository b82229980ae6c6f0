package kafkago

import (
	"context"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/segmentio/kafka-go"
)

// ackedOffsets collects, per partition, the offset to commit next: one past the
// last acked message. Partitions are consumed in order, so every message below
// it has been acked. It is safe for concurrent use.
type ackedOffsets struct {
	mu   sync.Mutex
	next map[int]int64
}

func newAckedOffsets() *ackedOffsets {
	return &ackedOffsets{next: map[int]int64{}}
}

func (a *ackedOffsets) ack(partition int, next int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if next > a.next[partition] {
		a.next[partition] = next
	}
}

// take returns the offsets not committed yet and forgets them.
func (a *ackedOffsets) take() map[int]int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	taken := a.next
	a.next = map[int]int64{}
	return taken
}

// restore puts back offsets whose commit failed, unless newer ones arrived.
func (a *ackedOffsets) restore(offsets map[int]int64) {
	for p, o := range offsets {
		a.ack(p, o)
	}
}

// commitLoop commits acked offsets every CommitInterval while gen lasts. When
// gen ends it waits for the partition consumers to drain and commits once more,
// which the coordinator still accepts while the rebalance waits for this member.
func (s *subscription) commitLoop(ctx context.Context, gen *kafka.Generation, acked *ackedOffsets, consumers *sync.WaitGroup) {
	tick := time.NewTicker(s.cfg.CommitInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			s.commit(gen, acked)
		case <-ctx.Done():
			consumers.Wait()
			s.commit(gen, acked)
			return
		}
	}
}

func (s *subscription) commit(gen *kafka.Generation, acked *ackedOffsets) {
	offsets := acked.take()
	if len(offsets) == 0 {
		return
	}
	fields := watermill.LogFields{"generation": gen.ID, "offsets": offsets}
	if err := gen.CommitOffsets(map[string]map[int]int64{s.topic: offsets}); err != nil {
		acked.restore(offsets)
		s.logger.Error("Committing offsets failed; acked messages may be delivered again", err, fields)
		return
	}
	s.logger.Trace("Committed offsets", fields)
}
