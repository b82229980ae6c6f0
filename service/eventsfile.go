package service

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
)

// fileSink is the embedded default's golden topic (`steward ingest --events FILE`): a
// Watermill Publisher that appends each message's payload (a golden-record change event,
// as contacts.golden carries it) as one line of a file. Publish returns once the lines
// are on disk, so that an event the outbox marks published is in the file; a crash in
// between writes it again at the next run (at least once, as on Kafka).
type fileSink struct {
	mu   sync.Mutex
	path string
	f    *os.File
	w    *bufio.Writer
}

// openFileSink opens path for appending (events of several runs follow each other),
// creating it when needed.
func openFileSink(path string) (*fileSink, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("events file: %w", err)
	}
	return &fileSink{path: path, f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
}

func (s *fileSink) Publish(_ string, msgs ...*message.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return errors.New("events file: closed")
	}
	for _, m := range msgs {
		s.w.Write(m.Payload)
		s.w.WriteByte('\n')
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("events file %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("events file %s: %w", s.path, err)
	}
	return nil
}

func (s *fileSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := errors.Join(s.w.Flush(), s.f.Close())
	s.f = nil
	return err
}
