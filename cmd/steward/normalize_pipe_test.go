package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/internal/syncbuf"
)

// TestNormalizePipeOutputNotHeld: records piped in one at a time (`tail -f export.jsonl |
// steward normalize -`) are printed as they are normalized. The output was buffered until
// the end of the input: a record and a pipe still open printed nothing.
func TestNormalizePipeOutputNotHeld(t *testing.T) {
	pr, pw := io.Pipe()
	var out, errb syncbuf.Buffer
	e := &env{stdin: pr, stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), []string{"normalize", "-format", "jsonl", "-"}, e) }()
	if _, err := io.WriteString(pw, `{"source":"crm","source_id":"1","given_name":"ann","family_name":"test"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), `"source_id":"1"`) {
		if time.Now().After(deadline) {
			pw.Close()
			<-done
			t.Fatalf("no output 5 s after a record was piped in (the pipe still open); stderr %q", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	pw.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if n := strings.Count(out.String(), `"source_id":"1"`); n != 1 {
		t.Errorf("the record printed %d times, want once: %q", n, out.String())
	}
}
