package main

import (
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/service"
)

// TestProgressPlainLinesThrottled: off a terminal, progress prints a line every 5 s and at
// the end of a file of known size; from stdin (size unknown) it printed at every report
// (~5 a second: 18 000 lines an hour).
func TestProgressPlainLinesThrottled(t *testing.T) {
	var b strings.Builder
	p := &progress{w: &b, every: 5 * time.Second, cmd: "ingest"}
	for i := range 50 {
		p.report(service.Progress{File: "stdin", BytesRead: int64(i) * 100})
	}
	if n := strings.Count(b.String(), "\n"); n != 1 {
		t.Errorf("stdin: %d lines for 50 reports within 5 s, want 1:\n%s", n, b.String())
	}
	b.Reset()
	p = &progress{w: &b, every: 5 * time.Second, cmd: "ingest"}
	for i := range 11 {
		p.report(service.Progress{File: "a.jsonl", BytesRead: int64(i) * 100, BytesTotal: 1000})
	}
	if got := b.String(); strings.Count(got, "\n") != 2 || !strings.Contains(got, "a.jsonl (100%)") {
		t.Errorf("a file: want its first line and the one at its end:\n%s", got)
	}
}
