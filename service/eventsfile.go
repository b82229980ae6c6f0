package service

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
)

// fileSink is the embedded default's golden topic (`steward ingest -events FILE`): a
// Watermill Publisher that appends each message's payload (a golden-record change event,
// as contacts.golden carries it) as one line of a file. Publish returns once the lines
// are on disk, so that an event the outbox marks published is in the file; a crash in
// between writes it again at the next run (at least once, as on Kafka). A batch is
// written whole or not at all: a failed write is cut off the file again, so that the
// next attempt (the forwarder's next poll) does not append to half a line.
type fileSink struct {
	mu   sync.Mutex
	path string
	f    *os.File
	size int64 // the file's length: whole lines only
	buf  bytes.Buffer
}

// openFileSink opens path for appending (events of several runs follow each other),
// creating it when needed. A file that does not end with a newline (a line cut by a
// crash) gets one, so that its next line stays whole. A new file is readable by its owner
// only, as every output file: the events carry golden records.
func openFileSink(path string) (*fileSink, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("events file: %w", err)
	}
	s := &fileSink{path: path, f: f}
	if s.size, err = f.Seek(0, io.SeekEnd); err == nil && s.size > 0 {
		last := make([]byte, 1)
		if _, err = f.ReadAt(last, s.size-1); err == nil && last[0] != '\n' {
			err = s.append([]byte{'\n'})
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("events file %s: %w", path, err)
	}
	return s, nil
}

func (s *fileSink) Publish(_ string, msgs ...*message.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return errors.New("events file: closed")
	}
	s.buf.Reset()
	for _, m := range msgs {
		s.buf.Write(m.Payload)
		s.buf.WriteByte('\n')
	}
	if err := s.append(s.buf.Bytes()); err != nil {
		return fmt.Errorf("events file %s: %w", s.path, err)
	}
	return nil
}

// append writes b at the end of the file and syncs it; on failure it cuts the file back
// to its length before.
func (s *fileSink) append(b []byte) error {
	_, err := s.f.WriteAt(b, s.size)
	if err == nil {
		err = s.f.Sync()
	}
	if err != nil {
		return errors.Join(err, s.f.Truncate(s.size))
	}
	s.size += int64(len(b))
	return nil
}

func (s *fileSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}
