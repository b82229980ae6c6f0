package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/service"
)

func runNormalize(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("normalize", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf configFlags
	var in inputFlags
	cf.register(fs)
	in.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward normalize [flags] [FILE|-]\n\nPrints each record normalized as JSONL, with every field's status and issue codes; records that\nwould be dead-lettered are printed with their error. Nothing is written to the warehouse.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError{fmt.Errorf("at most one FILE")}
	}
	name := fs.Arg(0)
	if name == "" {
		name = "-"
	}
	opts, cfg, err := in.load(e, &cf)
	if err != nil {
		return err
	}
	svc, err := service.Build(cfg)
	if err != nil {
		return err
	}
	var rd *input.Reader
	if name == "-" {
		rd = input.NewReader(e.stdin, "stdin", opts)
	} else {
		r, closeFn, err := input.Open(name, opts)
		if err != nil {
			return err
		}
		defer closeFn()
		rd = r
	}
	w := newTickFlusher(e.stdout, normalizeFlushEvery)
	read, failed, err := svc.NormalizeStream(ctx, rd, w)
	if ferr := w.Close(); err == nil {
		err = ferr
	}
	fmt.Fprintf(e.stderr, "%d records normalized, %d rejected\n", read-failed, failed)
	return err
}

// normalizeFlushEvery bounds how long a normalized record waits in normalize's output
// buffer.
const normalizeFlushEvery = 200 * time.Millisecond

// tickFlusher buffers writes and flushes what waits every interval: a file's records are
// written in large blocks, and records piped in one at a time (`tail -f export.jsonl |
// steward normalize -`) are printed within interval of their line instead of when the
// input ends. A failed flush is the next Write's or Close's error (bufio.Writer keeps it).
type tickFlusher struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newTickFlusher(w io.Writer, interval time.Duration) *tickFlusher {
	f := &tickFlusher{w: bufio.NewWriter(w), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-f.stop:
				return
			case <-t.C:
				f.mu.Lock()
				if f.w.Buffered() > 0 {
					_ = f.w.Flush()
				}
				f.mu.Unlock()
			}
		}
	}()
	return f
}

func (f *tickFlusher) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.w.Write(p)
}

// Close stops the ticks and flushes what is left.
func (f *tickFlusher) Close() error {
	close(f.stop)
	<-f.done
	return f.w.Flush()
}
