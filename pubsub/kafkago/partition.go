package kafkago

import (
	"context"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
)

// consume reads one partition from offset (an offset or kafka.FirstOffset) and
// delivers its messages one at a time, recording acked ones in acked (nil
// without a consumer group). It returns only once ctx has ended.
func (s *subscription) consume(ctx context.Context, partition int, offset int64, acked *ackedOffsets) {
	defer func() { <-ctx.Done() }()
	logger := s.logger.With(watermill.LogFields{"partition": partition})
	r, stop := s.partitionReader(partition, logger)
	defer stop()
	if err := r.SetOffset(offset); err != nil {
		logger.Error("Cannot position partition reader", err, watermill.LogFields{"offset": offset})
		return
	}
	logger.Debug("Consuming partition", watermill.LogFields{"offset": offset})

	if s.cfg.PartitionConcurrency > 1 {
		s.consumeConcurrently(ctx, r, partition, acked, logger)
		return
	}
	retry := backoff{min: s.cfg.ReadBackoffMin, max: s.cfg.ReadBackoffMax}
	for failures := 0; ; {
		km, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			logger.Error("Fetching message failed; retrying", err, watermill.LogFields{"failures": failures})
			if !sleep(ctx, retry.delay(failures)) {
				return
			}
			continue
		}
		failures = 0
		if !s.deliver(ctx, km, logger) {
			return
		}
		if acked != nil {
			acked.ack(partition, km.Offset+1)
		}
	}
}

// fetch reads the partition's next message, retrying failed fetches; ok is false once
// ctx has ended.
func (s *subscription) fetch(ctx context.Context, r *kafka.Reader, failures *int, logger watermill.LoggerAdapter) (km kafka.Message, ok bool) {
	retry := backoff{min: s.cfg.ReadBackoffMin, max: s.cfg.ReadBackoffMax}
	for {
		km, err := r.FetchMessage(ctx)
		if err == nil {
			*failures = 0
			return km, true
		}
		if ctx.Err() != nil {
			return km, false
		}
		*failures++
		logger.Error("Fetching message failed; retrying", err, watermill.LogFields{"failures": *failures})
		if !sleep(ctx, retry.delay(*failures)) {
			return km, false
		}
	}
}

// inFlight is a message of a partition consumed concurrently.
type inFlight struct {
	offset int64
	done   chan struct{} // closed once delivered (acked) or abandoned
	acked  bool          // set, under the partition's lock, before done is closed
}

// consumeConcurrently is consume with up to PartitionConcurrency messages delivered at
// once. A message waits for the previous message with the same key (per-key order);
// acked offsets are recorded only up to the oldest message not acked yet, so a crash
// redelivers everything from there (at least once, as sequential consumption). When a
// message is abandoned (ctx ended) the partition stops fetching and waits for the
// messages in flight.
func (s *subscription) consumeConcurrently(ctx context.Context, r *kafka.Reader, partition int, acked *ackedOffsets, logger watermill.LoggerAdapter) {
	var (
		mu      sync.Mutex
		queue   []*inFlight              // in offset order, oldest first
		lastFor = map[string]*inFlight{} // newest message in flight per key
		wg      sync.WaitGroup
	)
	slots := make(chan struct{}, s.cfg.PartitionConcurrency)
	// window holds a place for each message between the oldest not acked and the newest
	// fetched (MaxUncommitted): taken before a fetch, given back when the message leaves
	// the queue's head.
	window := make(chan struct{}, max(s.cfg.MaxUncommitted, s.cfg.PartitionConcurrency))
	stop, stopped := context.WithCancel(ctx)
	defer func() {
		wg.Wait()
		stopped()
	}()
	failures := 0
	for {
		select {
		case window <- struct{}{}:
		case <-stop.Done():
			return
		}
		select {
		case slots <- struct{}{}:
		case <-stop.Done():
			return
		}
		km, ok := s.fetch(stop, r, &failures, logger)
		if !ok {
			<-slots
			return
		}
		key := string(km.Key)
		it := &inFlight{offset: km.Offset, done: make(chan struct{})}
		mu.Lock()
		prev := lastFor[key]
		if key != "" {
			lastFor[key] = it
		} else {
			prev = nil
		}
		queue = append(queue, it)
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			ok := true
			if prev != nil {
				<-prev.done
				ok = prev.acked
			}
			ok = ok && s.deliver(ctx, km, logger)
			mu.Lock()
			defer mu.Unlock()
			it.acked = ok
			close(it.done)
			if lastFor[key] == it {
				delete(lastFor, key)
			}
			if !ok {
				stopped() // stop fetching; what is in flight finishes
				return
			}
			next := int64(-1)
			for len(queue) > 0 && queue[0].acked {
				next = queue[0].offset + 1
				queue = queue[1:]
				<-window
			}
			if next >= 0 && acked != nil {
				acked.ack(partition, next)
			}
		}()
	}
}

// deliver sends km until it is acked, delivering it again after each nack. It
// returns false, with km not acked, when the partition must stop: ctx or s.ctx
// ended before km was taken, or km was still pending DrainTimeout after that.
func (s *subscription) deliver(ctx context.Context, km kafka.Message, logger watermill.LoggerAdapter) bool {
	fields := watermill.LogFields{"offset": km.Offset}
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil || s.ctx.Err() != nil {
			return false // select below would pick a ready send at random
		}
		msg := fromKafka(km)
		msgCtx, cancel := context.WithCancel(s.ctx)
		msg.SetContext(msgCtx)
		select {
		case s.out <- msg:
		case <-ctx.Done():
			cancel()
			return false
		case <-s.ctx.Done():
			cancel()
			return false
		}
		fields["message_uuid"] = msg.UUID
		outcome := s.await(ctx, msg)
		cancel()
		switch outcome {
		case outcomeAcked:
			logger.Trace("Message acked", fields)
			return true
		case outcomeNacked:
			logger.Debug("Message nacked; delivering it again", fields.Add(watermill.LogFields{"attempt": attempt}))
			if !sleep(ctx, s.cfg.NackBackoff) || s.ctx.Err() != nil {
				return false
			}
		default:
			logger.Info("Message neither acked nor nacked within DrainTimeout; left uncommitted for redelivery", fields)
			return false
		}
	}
}

type outcome int

const (
	outcomeAcked outcome = iota
	outcomeNacked
	outcomeAbandoned
)

// await waits for msg to be acked or nacked. Once ctx or s.ctx ends it waits at
// most DrainTimeout more.
func (s *subscription) await(ctx context.Context, msg *message.Message) outcome {
	select {
	case <-msg.Acked():
		return outcomeAcked
	case <-msg.Nacked():
		return outcomeNacked
	case <-ctx.Done():
	case <-s.ctx.Done():
	}
	drain := time.NewTimer(s.cfg.DrainTimeout)
	defer drain.Stop()
	select {
	case <-msg.Acked():
		return outcomeAcked
	case <-msg.Nacked():
		return outcomeNacked
	case <-drain.C:
		return outcomeAbandoned
	}
}
