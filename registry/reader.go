package registry

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/steward-crm/steward/warehouse"
)

// RowError is a registry row that cannot be imported: counted and reported, the import
// goes on.
type RowError struct {
	// Line is the file's line (counting the lines of quoted fields that hold newlines,
	// and blank lines) of the field at fault, else of the row's start, else (a CSV
	// syntax error) of the error.
	Line int64
	// Column is the header's name of the column at fault ("" for the row as a whole).
	Column string
	Reason string
}

func (e *RowError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("line %d, column %q: %s", e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

// rowFunc turns one CSV row into a company, or a reason ("" for none) to reject it and
// the index of the column at fault (-1 for the row as a whole).
type rowFunc func(row []string) (c warehouse.Company, reason string, col int)

// Reader streams companies from a CSV registry file. Not safe for concurrent use.
type Reader struct {
	cr     *csv.Reader
	header []string
	base   int64 // byte offset of cr's input in the file
	lines  int64 // lines of the file before cr's input: cr's line n is the file's lines+n
	line   int64 // the file's line the last row read ends on (1 = a one-line header)
	parse  rowFunc
	offset int64
}

// Format parses one registry format from its header.
type Format func(header []string) (rowFunc, error)

// newReader reads the header from r (at the file's start) and returns a Reader on the
// rows; when resume > 0, seek must position the file at that byte offset and the reader
// continues there, after line (the file's line the row before that offset ends on).
func newReader(r io.Reader, f Format, seek func(int64) (io.Reader, error), resume, line int64) (*Reader, int64, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	// A UTF-8 byte order mark (Excel's "CSV UTF-8") is skipped before the CSV reader
	// sees it: before a quoted header it made the header a parse error. Offsets stay
	// the file's.
	var bom int64
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		bom = 3
	}
	hr := csv.NewReader(br)
	hr.ReuseRecord = true
	header, err := hr.Read()
	if err != nil {
		return nil, 0, fmt.Errorf("read header: %w", err)
	}
	header = append([]string(nil), header...)
	hr.Comma = ','
	if len(header) == 1 && strings.Contains(header[0], ";") {
		return nil, 0, errors.New("the header has one column holding ';': semicolon-separated files are not supported yet")
	}
	parse, err := f(header)
	if err != nil {
		return nil, 0, err
	}
	headerEnd := bom + hr.InputOffset()
	rd := &Reader{cr: hr, header: header, parse: parse, offset: headerEnd, base: bom}
	rd.line = rd.endLine(header)
	if resume > headerEnd {
		in, err := seek(resume)
		if err != nil {
			return nil, 0, fmt.Errorf("resume at byte %d: %w", resume, err)
		}
		rd.cr = csv.NewReader(bufio.NewReaderSize(in, 1<<16))
		rd.cr.ReuseRecord = true
		rd.base, rd.offset, rd.lines, rd.line = resume, resume, line, line
	}
	rd.cr.FieldsPerRecord = len(header)
	return rd, headerEnd, nil
}

// Next returns the next company. A row that cannot be imported returns a *RowError
// (continue reading); io.EOF ends the file; other errors are I/O errors.
func (rd *Reader) Next() (warehouse.Company, error) {
	row, err := rd.cr.Read()
	rd.offset = rd.base + rd.cr.InputOffset()
	if err == io.EOF {
		return warehouse.Company{}, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return warehouse.Company{}, err
		}
		if !errors.Is(pe.Err, csv.ErrFieldCount) {
			// The row is read up to the end of the error's line (of the file, with an
			// unterminated quote); it has no field positions.
			rd.line = rd.lines + int64(pe.Line)
			return warehouse.Company{}, &RowError{Line: rd.line, Reason: pe.Err.Error()}
		}
		// A row of another number of fields is read whole, its positions known.
		rd.line = rd.endLine(row)
		return warehouse.Company{}, &RowError{Line: rd.lines + int64(pe.StartLine), Reason: pe.Err.Error()}
	}
	rd.line = rd.endLine(row)
	c, reason, col := rd.parse(row)
	for i, f := range row {
		if !utf8.ValidString(f) && i < len(rd.header) {
			// A file in Latin-1 or Windows-1252 (a spreadsheet's export): its names were
			// stored as invalid text, which every JSON encoding of them then mangled.
			c, reason, col = warehouse.Company{}, "not valid UTF-8 text (convert the file, e.g. iconv -f WINDOWS-1252 -t UTF-8)", i
			break
		}
	}
	if reason != "" {
		re := &RowError{Reason: reason}
		if col < 0 {
			col = 0 // the row's first line
		} else {
			re.Column = rd.header[col]
		}
		l, _ := rd.cr.FieldPos(col)
		re.Line = rd.lines + int64(l)
		return warehouse.Company{}, re
	}
	return c, nil
}

// endLine returns the file's line row, the last row cr read, ends on: its last field's
// line and the newlines that field holds (encoding/csv reads a quoted "\r\n" as "\n").
func (rd *Reader) endLine(row []string) int64 {
	last := len(row) - 1
	l, _ := rd.cr.FieldPos(last)
	return rd.lines + int64(l) + int64(strings.Count(row[last], "\n"))
}

// Offset returns the byte offset just after the last row read.
func (rd *Reader) Offset() int64 { return rd.offset }

// Line returns the file's line the last row read ends on (a one-line header is line 1;
// quoted fields holding newlines and blank lines count).
func (rd *Reader) Line() int64 { return rd.line }

// columns finds header columns by name (case-insensitive); missing ones are -1.
type columns map[string]int

func indexHeader(header []string) columns {
	c := columns{}
	for i, h := range header {
		c[strings.ToLower(strings.TrimSpace(h))] = i
	}
	return c
}

// get returns the first non-empty value among the named columns.
func (c columns) get(row []string, names ...string) string {
	for _, n := range names {
		if i, ok := c[strings.ToLower(n)]; ok && i < len(row) {
			if v := strings.TrimSpace(row[i]); v != "" {
				return v
			}
		}
	}
	return ""
}

// picker returns a function reading the first non-empty value among the named columns,
// resolved once (get looks the names up at every call).
func (c columns) picker(names ...string) func(row []string) string {
	var idx []int
	for _, n := range names {
		if i, ok := c[strings.ToLower(n)]; ok {
			idx = append(idx, i)
		}
	}
	return func(row []string) string {
		for _, i := range idx {
			if i < len(row) {
				if v := strings.TrimSpace(row[i]); v != "" {
					return v
				}
			}
		}
		return ""
	}
}

// index returns the column of name, -1 when missing.
func (c columns) index(name string) int {
	if i, ok := c[strings.ToLower(name)]; ok {
		return i
	}
	return -1
}

func (c columns) has(names ...string) bool {
	for _, n := range names {
		if _, ok := c[strings.ToLower(n)]; ok {
			return true
		}
	}
	return false
}

// ReadAll streams every row of a registry file in the format from r, calling fn for each
// company, and returns the number of invalid rows (for tests and tools; Import is the
// resumable path).
func ReadAll(r io.Reader, format string, o Options, fn func(warehouse.Company) error) (invalid int64, err error) {
	parse, err := o.format(format)
	if err != nil {
		return 0, err
	}
	rd, _, err := newReader(r, parse, nil, 0, 0)
	if err != nil {
		return 0, err
	}
	for {
		c, err := rd.Next()
		var re *RowError
		switch {
		case err == io.EOF:
			return invalid, nil
		case errors.As(err, &re):
			invalid++
		case err != nil:
			return invalid, err
		default:
			if err := fn(c); err != nil {
				return invalid, err
			}
		}
	}
}
