package kafkago

import (
	"context"
	"errors"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
)

// subscription is one Subscribe call: it owns the output channel and the
// partition consumers that feed it.
type subscription struct {
	cfg    SubscriberConfig
	topic  string
	ctx    context.Context // ends when Subscribe's ctx is canceled or the Subscriber closes
	out    chan *message.Message
	logger watermill.LoggerAdapter

	// workers counts partition consumers and committers; out is closed only
	// after all of them have returned.
	workers sync.WaitGroup
}

// run consumes until s.ctx ends, then closes s.out.
func (s *subscription) run(groupCfg kafka.ConsumerGroupConfig) {
	defer close(s.out)
	defer s.workers.Wait()

	partitions, err := waitForTopic(s.ctx, s.cfg, s.topic, s.logger)
	if err != nil {
		return // s.ctx ended
	}
	if s.cfg.ConsumerGroup == "" {
		s.logger.Info("Consuming all partitions without consumer group", watermill.LogFields{"partitions": partitions})
		for _, p := range partitions {
			s.workers.Add(1)
			go func() {
				defer s.workers.Done()
				s.consume(s.ctx, p, kafka.FirstOffset, nil)
			}()
		}
		<-s.ctx.Done()
		return
	}
	s.runGroup(groupCfg)
}

// runGroup is a member of the consumer group until s.ctx ends. Partition
// consumers and committers stop only through their generation's context, which
// ends on a rebalance or when the group is closed; stopping them any other way
// would end the generation and make kafka-go join the group again instead of
// leaving it.
func (s *subscription) runGroup(cfg kafka.ConsumerGroupConfig) {
	group, err := kafka.NewConsumerGroup(cfg)
	if err != nil {
		s.logger.Error("Cannot create consumer group", err, nil)
		return
	}
	stop := context.AfterFunc(s.ctx, func() { _ = group.Close() })
	defer stop()
	memberID := ""
	defer func() {
		_ = group.Close() // always nil
		s.leaveGroup(memberID)
	}()

	for {
		gen, err := group.Next(s.ctx)
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, kafka.ErrGroupClosed) {
				return
			}
			if errors.Is(err, kafka.RebalanceInProgress) {
				s.logger.Debug("Rebalance in progress; joining again", nil)
			} else {
				s.logger.Error("Consumer group failed to start a generation; retrying", err, nil)
			}
			continue
		}
		memberID = gen.MemberID
		s.startGeneration(gen)
	}
}

func (s *subscription) groupConfig() kafka.ConsumerGroupConfig {
	progress, problems := kafkaLoggers(s.logger)
	return kafka.ConsumerGroupConfig{
		ID:                     s.cfg.ConsumerGroup,
		Brokers:                s.cfg.Brokers,
		Dialer:                 s.cfg.dialer(),
		Topics:                 []string{s.topic},
		HeartbeatInterval:      s.cfg.HeartbeatInterval,
		SessionTimeout:         s.cfg.SessionTimeout,
		RebalanceTimeout:       s.cfg.RebalanceTimeout,
		JoinGroupBackoff:       s.cfg.JoinGroupBackoff,
		PartitionWatchInterval: s.cfg.PartitionWatchInterval,
		WatchPartitionChanges:  true,
		StartOffset:            kafka.FirstOffset,
		Logger:                 progress,
		ErrorLogger:            problems,
	}
}

// startGeneration consumes the partitions gen assigns to this member and
// commits their acked offsets until gen ends.
func (s *subscription) startGeneration(gen *kafka.Generation) {
	assigned := gen.Assignments[s.topic]
	ids := make([]int, len(assigned))
	for i, a := range assigned {
		ids[i] = a.ID
	}
	s.logger.Info("Partitions assigned", watermill.LogFields{
		"generation": gen.ID, "member": gen.MemberID, "partitions": ids,
	})

	acked := newAckedOffsets()
	var consumers sync.WaitGroup
	for _, a := range assigned {
		s.workers.Add(1)
		consumers.Add(1)
		gen.Start(func(ctx context.Context) {
			defer s.workers.Done()
			defer consumers.Done()
			s.consume(ctx, a.ID, a.Offset, acked)
		})
	}
	s.workers.Add(1)
	gen.Start(func(ctx context.Context) {
		defer s.workers.Done()
		s.commitLoop(ctx, gen, acked, &consumers)
	})
}
