// Package input reads contact records from JSONL or CSV files (or stdin) as raw items with
// their position (file:line), for ingest, produce, normalize and dedupe. JSONL lines are
// passed through undecoded (the Normalize handler decodes them strictly); CSV rows are
// mapped to the record shape with a contact.Mapping. A line or row that cannot even be
// read becomes an item with Err set, so that it is dead-lettered, never dropped.
package input

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/steward-crm/steward/contact"
)

// MaxLineBytes is the longest input line accepted; longer lines are dead-lettered (their
// first bytes kept) rather than read whole into memory.
const MaxLineBytes = 4 << 20

// Item is one record read from input.
type Item struct {
	// Payload is the record as JSON (CSV rows are converted), or the raw line.
	Payload []byte
	// Key is "source:source_id" when known before decoding (CSV), else "".
	Key string
	// Position is "file:line".
	Position string
	// Err is set when the item could not be read or mapped; it wraps contact.ErrInvalid.
	Err error
}

// Format is an input format.
type Format string

// Formats.
const (
	JSONL Format = "jsonl"
	CSV   Format = "csv"
)

// FormatOf guesses the format from a file name: .csv and .tsv are CSV, anything else JSONL.
func FormatOf(name string) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv":
		return CSV
	}
	return JSONL
}

// Options configure a Reader.
type Options struct {
	// Format forces the format; empty means FormatOf(name).
	Format Format
	// Mapping maps CSV columns (nil: field names and common aliases).
	Mapping *contact.Mapping
	// Comma is the CSV separator (default ',' or '\t' for .tsv; ';' or '\t' detected from
	// the header when it holds more of them than commas).
	Comma rune
	// Notice, when set, is told once per CSV input of the columns neither mapped nor
	// recognised (kept in attributes: a header steward does not know, "Email Address"
	// spelt otherwise, leaves a record without its e-mail and no error says so).
	Notice func(string)
	// Read names the columns kept in attributes that the command reads there (dedupe's
	// -truth column): the notice does not name them.
	Read []string
}

// Open opens name ("-" is stdin) and returns its reader and a close function.
func Open(name string, opts Options) (*Reader, func() error, error) {
	return OpenContext(context.Background(), name, opts)
}

// OpenContext is Open whose reads of stdin end with ctx: a pipe that brings nothing
// (`tail -f export.jsonl | steward ingest -`) blocks a read of it, and a stop (SIGTERM)
// was only seen once a line came. The read in progress is left behind (stdin is not
// read again). A file's reads do not block.
func OpenContext(ctx context.Context, name string, opts Options) (*Reader, func() error, error) {
	if name == "-" {
		return NewReader(&ctxReader{ctx: ctx, r: os.Stdin}, "stdin", opts), os.Stdin.Close, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return NewReader(f, name, opts), f.Close, nil
}

// ctxReader reads r in a goroutine of its own, so that a Read blocked on r returns
// ctx's cause once ctx is done.
type ctxReader struct {
	ctx     context.Context
	r       io.Reader
	pending chan readResult // the read in progress, if any
	left    []byte          // read, not yet returned
	err     error           // the read's error, returned once left is
}

type readResult struct {
	b   []byte
	err error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if len(c.left) > 0 {
		n := copy(p, c.left)
		c.left = c.left[n:]
		if len(c.left) == 0 {
			return n, c.err
		}
		return n, nil
	}
	if c.err != nil {
		return 0, c.err
	}
	if c.pending == nil {
		ch := make(chan readResult, 1)
		buf := make([]byte, len(p))
		go func() {
			n, err := c.r.Read(buf)
			ch <- readResult{buf[:n], err}
		}()
		c.pending = ch
	}
	select {
	case res := <-c.pending:
		c.pending = nil
		n := copy(p, res.b)
		c.left, c.err = res.b[n:], res.err
		if len(c.left) > 0 {
			return n, nil
		}
		return n, res.err
	case <-c.ctx.Done():
		return 0, context.Cause(c.ctx)
	}
}

// Reader reads items one at a time. It is not safe for concurrent use.
type Reader struct {
	name   string
	format Format
	opts   Options
	cnt    *counter
	br     *bufio.Reader
	line   int
	source string
	// CSV state
	header []string
	fields []string
	cr     *csv.Reader
	// guard bounds a CSV record's bytes; lastLine is the last line of the last record
	// read (the header's at first).
	guard    *recordGuard
	lastLine int
	// raw holds the bytes the CSV reader has taken from br past rawAt, the input offset
	// of raw[0]: a row that cannot be parsed is dead-lettered as the bytes it spans.
	raw   bytes.Buffer
	rawAt int64
	// bomChecked: a UTF-8 byte order mark at the start of the input was skipped.
	bomChecked bool
	// eol ends a JSONL line: '\n', or '\r' in an input whose lines end in CR alone
	// (sniffed at the first line; JSON holds no raw CR inside a value).
	eol byte
}

// skipBOM discards a UTF-8 byte order mark at the very start of the input (Excel's
// "CSV UTF-8" and some editors write one): it is not part of the first field or line.
func (r *Reader) skipBOM() error {
	if r.bomChecked {
		return nil
	}
	r.bomChecked = true
	// Three bytes are waited for only after the mark's first: a first line of one or two
	// bytes from a pipe is read without waiting for more.
	b, _ := r.br.Peek(1)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case 0xef:
		if b, err := r.br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
			r.br.Discard(3)
		}
	case 0xff, 0xfe:
		// UTF-16's byte order mark (Excel's "Unicode text", Windows tools): read as
		// bytes it made every other byte a NUL, each row dead-lettered for it and a
		// phantom record of the trailing bytes.
		if b, err := r.br.Peek(2); err == nil && (bytes.Equal(b, []byte("\xff\xfe")) || bytes.Equal(b, []byte("\xfe\xff"))) {
			return fmt.Errorf("%s: the file is UTF-16 (it starts with UTF-16's byte order mark): save or convert it as UTF-8 (iconv -f UTF-16 -t UTF-8)", r.name)
		}
	}
	return nil
}

// NewReader reads from r; name is used in positions.
func NewReader(r io.Reader, name string, opts Options) *Reader {
	f := opts.Format
	if f == "" {
		f = FormatOf(name)
	}
	src := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	cnt := &counter{r: r}
	return &Reader{name: name, format: f, opts: opts, cnt: cnt, br: bufio.NewReaderSize(cnt, 64<<10), source: src}
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// BytesRead returns how many input bytes have been consumed, for progress reporting.
func (r *Reader) BytesRead() int64 { return r.cnt.n - int64(r.br.Buffered()) }

// Next returns the next item, or io.EOF. Blank lines are skipped.
func (r *Reader) Next() (Item, error) {
	if r.format == CSV {
		return r.nextCSV()
	}
	return r.nextLine()
}

func (r *Reader) pos(line int) string { return fmt.Sprintf("%s:%d", r.name, line) }

// rawFrom returns the raw bytes from the last offset given up to off (an offset of the
// CSV reader's input), and forgets them. The slice is valid until the next read: a
// caller that keeps it clones it (only a failed row's are kept).
func (r *Reader) rawFrom(off int64) []byte {
	n := int(off - r.rawAt)
	if n < 0 || n > r.raw.Len() {
		n = r.raw.Len()
	}
	r.rawAt += int64(n)
	return r.raw.Next(n)
}

func (r *Reader) nextLine() (Item, error) {
	if err := r.skipBOM(); err != nil {
		return Item{}, err
	}
	if r.eol == 0 {
		// Lines ending in CR alone were one line: the whole file one record, refused.
		// Only when no LF comes within the sniffed start: JSON takes a raw CR as space
		// between tokens, inside a record of a file whose lines end in LF.
		r.eol = '\n'
		if head := sniffHead(r.br); crLines(head) && bytes.IndexByte(head, '\n') < 0 {
			r.eol = '\r'
		}
	}
	for {
		line, tooLong, err := r.readLine()
		if err != nil && (err != io.EOF || len(line) == 0) {
			return Item{}, err
		}
		r.line++
		if tooLong {
			return Item{Payload: line, Position: r.pos(r.line),
				Err: contact.Invalid("", "line longer than %d bytes", MaxLineBytes)}, nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			if err == io.EOF {
				return Item{}, io.EOF
			}
			continue
		}
		return Item{Payload: line, Position: r.pos(r.line)}, nil
	}
}

// readLine reads one line; past MaxLineBytes it keeps the first bytes, discards the rest
// and reports tooLong.
func (r *Reader) readLine() (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := r.br.ReadSlice(r.eol)
		// The terminator ("\n" or "\r\n") is not part of the line: room for it, and the
		// line's own length checked below.
		if len(buf)+len(chunk) <= MaxLineBytes+len("\r\n") {
			buf = append(buf, chunk...)
		} else {
			if !tooLong && len(buf) < 1024 {
				buf = append(buf, chunk[:min(len(chunk), 1024-len(buf))]...)
			}
			tooLong = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if !tooLong && len(bytes.TrimSuffix(bytes.TrimSuffix(buf, []byte("\n")), []byte("\r"))) > MaxLineBytes {
			tooLong = true
		}
		return buf, tooLong, err
	}
}

func (r *Reader) nextCSV() (Item, error) {
	if r.cr == nil {
		if err := r.skipBOM(); err != nil {
			return Item{}, err
		}
		head := sniffHead(r.br)
		var src io.Reader = r.br
		if crLines(head) {
			src = crToLF{r.br} // byte for byte: the input offsets stay right
		}
		r.guard = &recordGuard{r: src, limit: MaxLineBytes + 64<<10}
		r.cr = csv.NewReader(io.TeeReader(r.guard, &r.raw))
		r.cr.FieldsPerRecord = -1
		r.cr.ReuseRecord = false
		comma := r.opts.Comma
		if comma == 0 {
			comma = ','
			if strings.EqualFold(filepath.Ext(r.name), ".tsv") {
				comma = '\t'
			} else if len(head) > 0 {
				first, _, _ := bytes.Cut(head, []byte("\n"))
				first, _, _ = bytes.Cut(first, []byte("\r"))
				// The header's most frequent separator: a semicolon (a French
				// spreadsheet's CSV), a tab (tab-separated text, e.g. on stdin, where
				// there is no .tsv name to go by), or the comma.
				commas, semis, tabs := bytes.Count(first, []byte(",")), bytes.Count(first, []byte(";")), bytes.Count(first, []byte("\t"))
				switch {
				case tabs > commas && tabs > semis:
					comma = '\t'
				case semis > commas:
					comma = ';'
				}
			}
		}
		r.cr.Comma = comma
		if _, err := r.br.Peek(1); err != nil {
			return Item{}, io.EOF
		}
		h, err := r.cr.Read()
		if err != nil {
			return Item{}, fmt.Errorf("%s: CSV header: %w", r.name, err)
		}
		fields := r.opts.Mapping.Fields(h)
		headerless := noFieldNamed(fields, h, r.opts.Mapping)
		if missing := r.opts.Mapping.Missing(h); len(missing) > 0 {
			// A misspelt column ("Tel" for "Tél") left its data in attributes, unmatched.
			if headerless {
				return Item{}, fmt.Errorf("%s: the CSV mapping names %s, not in the header (%s)", r.name, quoteAll(missing), headerlessHint(len(h)))
			}
			return Item{}, fmt.Errorf("%s: the CSV mapping names %s, not in the header (its columns: %s)", r.name, quoteAll(missing), quoteAll(h))
		}
		r.header = h
		r.lastLine, _ = r.cr.FieldPos(len(h) - 1)
		r.fields = fields
		if r.opts.Notice != nil && headerless {
			r.opts.Notice(fmt.Sprintf("%s: %s: the records' values are kept in attributes (-map 'COLUMN=FIELD' maps a column)", r.name, headerlessHint(len(h))))
		}
		if r.opts.Notice != nil && !headerless {
			var kept []string
			for i, f := range r.fields {
				if strings.HasPrefix(f, "attributes.") && !r.opts.Mapping.Maps(h[i]) && !slices.Contains(r.opts.Read, h[i]) {
					kept = append(kept, h[i])
				}
			}
			if len(kept) > 0 {
				r.opts.Notice(fmt.Sprintf("%s: columns kept in attributes, not read as a field (-map 'COLUMN=FIELD' maps one, COLUMN=- ignores it): %s", r.name, quoteAll(kept)))
			}
			// Records are keyed by source and source id: a source taken from the file's
			// name ("crm_2026-01") keys next month's export of the same records apart.
			if !slices.Contains(r.fields, "source") && (r.opts.Mapping == nil || r.opts.Mapping.Source == "") {
				r.opts.Notice(fmt.Sprintf("%s: no source column: the records' source is %q, the file's name (-source NAME sets one for every file of an export)", r.name, r.source))
			}
		}
		r.rawFrom(r.cr.InputOffset())
	}
	r.guard.n = 0
	row, err := r.cr.Read()
	if err == io.EOF {
		return Item{}, io.EOF
	}
	if errors.Is(err, errRecordTooLong) {
		// An unterminated quote makes the rest of the file one field: read whole, a
		// file of a gigabyte took a dozen times that in memory, and was one dead letter.
		return Item{}, fmt.Errorf("%s: the CSV record after line %d runs past %d bytes (an unterminated quote?): the records before it are read; fix the file from there", r.name, r.lastLine, MaxLineBytes)
	}
	// The bytes this read took (a row; after a parse error, all it consumed: with an
	// unterminated quote, the rest of the file).
	rowBytes := r.rawFrom(r.cr.InputOffset())
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrFieldCount) {
			r.lastLine = pe.Line
			// No field position is recorded for a row that failed to parse: the
			// position is the line the row starts on.
			return Item{Payload: bytes.Clone(bytes.TrimRight(rowBytes, "\r\n")), Position: r.pos(pe.StartLine),
				Err: contact.Invalid("", "CSV: %v", pe.Err)}, nil
		}
		if !errors.As(err, &pe) {
			return Item{}, err
		}
	}
	line, _ := r.cr.FieldPos(0)
	r.lastLine, _ = r.cr.FieldPos(len(row) - 1)
	rec, err := r.opts.Mapping.FromRow(r.fields, r.header, row, r.source)
	if err != nil {
		// The row as read (its quoting kept: a field may hold the separator), to be fixed
		// and read again.
		return Item{Payload: bytes.Clone(bytes.TrimRight(rowBytes, "\r\n")), Position: r.pos(line), Err: err}, nil
	}
	b, err := json.Marshal(rec)
	if err != nil {
		// A data problem of this row (not expected: FromRow validates): dead-lettered.
		return Item{Payload: bytes.Clone(bytes.TrimRight(rowBytes, "\r\n")), Position: r.pos(line),
			Err: contact.Invalid("", "%v", err)}, nil
	}
	return Item{Payload: b, Key: rec.Key(), Position: r.pos(line)}, nil
}

// noFieldNamed reports whether no column of header names a field of a record or a
// column of the mapping m (fields is m.Fields(header)): the file's first line is then
// likely a record (a file without a header line), whose values a notice or an error
// must not quote (they end up in logs).
func noFieldNamed(fields, header []string, m *contact.Mapping) bool {
	for i, f := range fields {
		if !strings.HasPrefix(f, "attributes.") || m.Maps(header[i]) {
			return false
		}
	}
	return true
}

// headerlessHint says that none of a header's n columns names a field, without them.
func headerlessHint(n int) string {
	return fmt.Sprintf("none of its %d columns names a field: is its first line a record? A CSV file needs a header line", n)
}

// quoteAll quotes each of ss, comma-separated.
func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// sniffLen is how much of a CSV input the separator and line endings are sniffed from:
// the reader's buffer (it was 4 KiB: a header longer than that, in a file whose lines end
// in CR alone, showed no line ending, and the whole file was read as one header).
const sniffLen = 64 << 10

// sniffHead returns the start of the input, unread, to sniff the separator and line
// endings from: its first sniffLen bytes, all of it if shorter, or, when a read returns
// less (a pipe fed a line at a time: `tail -f export.csv | steward ingest -`), what has
// come once it settles them: an LF (the header line is complete, and lines end in LF or
// CRLF), or two CRs and no LF (lines end in CR alone; the header and the first record
// are complete). A file's first read brings sniffLen bytes or all of it: what is sniffed
// from a file is unchanged.
func sniffHead(br *bufio.Reader) []byte {
	head, _ := br.Peek(1)
	for len(head) > 0 {
		head, _ = br.Peek(min(br.Buffered(), sniffLen))
		if len(head) == sniffLen || bytes.IndexByte(head, '\n') >= 0 || bytes.Count(head, []byte("\r")) >= 2 {
			return head
		}
		if _, err := br.Peek(len(head) + 1); err != nil {
			head, _ = br.Peek(br.Buffered()) // the end of the input (or a read error, met again by the CSV reader)
			return head
		}
	}
	return head
}

// crLines reports whether the input's lines end in CR alone (Excel for Mac's "CSV
// (Macintosh)"), from the input's start sniffHead returned: its first line ends in a CR
// that no LF follows. encoding/csv reads such a file as a header and nothing else.
func crLines(head []byte) bool {
	i := bytes.IndexAny(head, "\r\n")
	return i >= 0 && head[i] == '\r' && (i+1 == len(head) || head[i+1] != '\n')
}

// errRecordTooLong is recordGuard's error.
var errRecordTooLong = errors.New("CSV record too long")

// recordGuard passes its reader's bytes until more than limit have gone since n was
// last set to 0 (at each CSV record): then errRecordTooLong. The CSV reader reads ahead
// (4 KiB), which the limit's margin takes.
type recordGuard struct {
	r     io.Reader
	n     int
	limit int
}

func (g *recordGuard) Read(p []byte) (int, error) {
	if g.n > g.limit {
		return 0, errRecordTooLong
	}
	n, err := g.r.Read(p)
	g.n += n
	return n, err
}

// crToLF turns every CR into LF.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
