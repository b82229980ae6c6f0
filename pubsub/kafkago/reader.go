package kafkago

import (
	"net"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/segmentio/kafka-go"
)

// partitionReader opens a kafka-go Reader on one partition of s.topic. stop
// closes it at once: it cuts the reader's connections rather than wait for an
// idle fetch to return (up to MaxWait), and logs the resulting errors at Trace.
func (s *subscription) partitionReader(partition int, logger watermill.LoggerAdapter) (r *kafka.Reader, stop func()) {
	var stopping atomic.Bool
	progress, problems := kafkaLoggers(logger)
	conns := newConnSet(&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second})
	dialer := s.cfg.dialer()
	dialer.DialFunc = conns.dial
	r = kafka.NewReader(kafka.ReaderConfig{
		Brokers:        s.cfg.Brokers,
		Dialer:         dialer,
		Topic:          s.topic,
		Partition:      partition,
		MinBytes:       1,
		MaxBytes:       10 << 20,
		MaxWait:        s.cfg.MaxWait,
		ReadBackoffMin: s.cfg.ReadBackoffMin,
		ReadBackoffMax: s.cfg.ReadBackoffMax,
		Logger:         progress,
		ErrorLogger: kafka.LoggerFunc(func(format string, args ...any) {
			if stopping.Load() {
				progress.Printf(format, args...)
				return
			}
			problems.Printf(format, args...)
		}),
	})
	return r, func() {
		stopping.Store(true)
		closed := make(chan error, 1)
		go func() { closed <- r.Close() }()
		conns.closeAll()
		if err := <-closed; err != nil {
			logger.Error("Closing partition reader failed", err, nil)
		}
	}
}
