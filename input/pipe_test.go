package input

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// TestPipeFirstRecordNotDelayed: records piped in a line at a time (`tail -f export.csv |
// steward ingest -format csv -`) are read as their lines arrive. The CSV reader peeked
// 4 KiB to sniff the separator and line endings: a header and a short record, the writer
// then waiting, were not read until 4 KiB had come or the pipe closed. A JSONL first line
// of one or two bytes waited likewise for the byte order mark's three.
func TestPipeFirstRecordNotDelayed(t *testing.T) {
	cases := []struct {
		name  string
		file  string
		lines []string
		want  string // in the first item's payload
	}{
		{"csv", "x.csv", []string{"id,given_name\n", "1,Ann\n"}, `"given_name":"Ann"`},
		{"csv semicolons", "x.csv", []string{"id;given_name\n", "1;Ann\n"}, `"given_name":"Ann"`},
		{"csv CRLF", "x.csv", []string{"id,given_name\r\n", "1,Ann\r\n"}, `"given_name":"Ann"`},
		{"csv CR", "x.csv", []string{"id,given_name\r", "1,Ann\r"}, `"given_name":"Ann"`},
		{"csv byte order mark", "x.csv", []string{"\ufeffid,given_name\n", "1,Ann\n"}, `"given_name":"Ann"`},
		{"tsv", "x.tsv", []string{"id\tgiven_name\n", "1\tAnn\n"}, `"given_name":"Ann"`},
		{"jsonl", "x.jsonl", []string{`{"source":"crm","source_id":"1","given_name":"Ann"}` + "\n"}, `"given_name":"Ann"`},
		{"jsonl short line", "x.jsonl", []string{"1\n"}, "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pr, pw := io.Pipe()
			// The writer stays open (an upstream process still running) until the test
			// ends; closing it then ends a reader still waiting.
			t.Cleanup(func() { pw.Close() })
			go func() {
				for _, l := range c.lines {
					if _, err := pw.Write([]byte(l)); err != nil {
						return
					}
				}
			}()
			type result struct {
				it  Item
				err error
			}
			got := make(chan result, 1)
			go func() {
				it, err := NewReader(pr, c.file, Options{}).Next()
				got <- result{it, err}
			}()
			select {
			case r := <-got:
				if r.err != nil || r.it.Err != nil || !strings.Contains(string(r.it.Payload), c.want) {
					t.Errorf("first item %q (%v), error %v; want %s", r.it.Payload, r.it.Err, r.err, c.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no item 5 s after %q was written (the pipe still open)", strings.Join(c.lines, ""))
			}
		})
	}
}

// TestSniffSameOnATrickle: a file read a byte at a time (a slow pipe) gives the items it
// gives read at once: the separator and line endings are sniffed from the header line
// alone when the rest has not come yet, as they are from the first 4 KiB.
func TestSniffSameOnATrickle(t *testing.T) {
	long := strings.Repeat("x", 5000)
	files := map[string]string{
		"commas":              "id,given_name,notes\n1,Ann,a;b;c\n2,Bob,\n",
		"semicolons":          "id;given_name;notes\n1;Ann;a,b,c\n2;Bob;\n",
		"semicolons quoted":   "\"id\";\"given_name\"\r\n\"1\";\"Ann\"\r\n",
		"CRLF":                "id,given_name\r\n1,Ann\r\n2,Bob\r\n",
		"CR":                  "id,given_name\r1,Ann\r2,Bob\r",
		"CR one line":         "id,given_name\r",
		"byte order mark":     "\ufeffid;given_name\n1;Ann\n",
		"header past 4 KiB":   "id,given_name," + long + ";" + long + "\n1,Ann,x\n",
		"semicolons at 4 KiB": "id;given_name;" + strings.Repeat("y", 4090) + ",a,b,c,d\n1;Ann;x\n",
		"no newline":          "id;given_name",
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			whole := readAll(t, NewReader(strings.NewReader(data), "x.csv", Options{}))
			trickle := readAll(t, NewReader(iotest.OneByteReader(strings.NewReader(data)), "x.csv", Options{}))
			if len(whole) != len(trickle) {
				t.Fatalf("%d items read at once, %d a byte at a time", len(whole), len(trickle))
			}
			for i := range whole {
				w, tr := whole[i], trickle[i]
				if string(w.Payload) != string(tr.Payload) || w.Position != tr.Position || (w.Err == nil) != (tr.Err == nil) {
					t.Errorf("item %d: %q at %s (%v) at once, %q at %s (%v) a byte at a time", i, w.Payload, w.Position, w.Err, tr.Payload, tr.Position, tr.Err)
				}
			}
		})
	}
}

// readAll reads items until io.EOF or an error, which ends the list.
func readAll(t *testing.T, r *Reader) (out []Item) {
	t.Helper()
	for {
		it, err := r.Next()
		if err != nil {
			if err != io.EOF {
				out = append(out, Item{Err: err})
			}
			return out
		}
		out = append(out, it)
	}
}

// TestStdinReadEndsWithContext: a read of stdin that waits on a pipe bringing nothing
// returns the context's cause once it is done (a SIGTERM to `tail -f f | steward ingest -`
// was seen only when a line came, and the run then ended as if complete, exit 0), and
// what the pipe brings before is read whole and in order, whatever the reads' sizes.
func TestStdinReadEndsWithContext(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("SIGTERM")
	r := NewReader(&ctxReader{ctx: ctx, r: pr}, "stdin", Options{})
	go pw.Write([]byte(`{"source":"s","source_id":"1","given_name":"Ann"}` + "\n"))
	it, err := r.Next()
	if err != nil || !strings.Contains(string(it.Payload), `"Ann"`) {
		t.Fatalf("first record: %+v, %v", it, err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.Next()
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel(stop)
	select {
	case err := <-done:
		if !errors.Is(err, stop) {
			t.Errorf("Next after the stop: %v, want the stop's cause", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next still blocked 5 s after the stop")
	}
	pw.Close()

	// Bytes and the end of input come through reads of any size.
	want := strings.Repeat("0123456789", 1000)
	c := &ctxReader{ctx: context.Background(), r: strings.NewReader(want)}
	var got []byte
	buf := make([]byte, 7)
	for {
		n, err := c.Read(buf[:1+len(got)%7])
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if string(got) != want {
		t.Errorf("read %d bytes, want %d", len(got), len(want))
	}
}
