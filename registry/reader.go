package registry

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/steward-crm/steward/warehouse"
)

// RowError is a registry row that cannot be imported: counted and reported, the import
// goes on.
type RowError struct {
	Line   int64
	Reason string
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// rowFunc turns one CSV row into a company, or a reason ("" for none) to reject it.
type rowFunc func(row []string) (warehouse.Company, string)

// Reader streams companies from a CSV registry file. Not safe for concurrent use.
type Reader struct {
	cr     *csv.Reader
	base   int64 // byte offset of cr's input in the file
	line   int64 // line of the last row read (1 = header)
	parse  rowFunc
	offset int64
}

// Format parses one registry format from its header.
type Format func(header []string) (rowFunc, error)

// newReader reads the header from r (at the file's start) and returns a Reader on the
// rows; when resume > 0, seek must position the file at that byte offset and the reader
// continues there, at line.
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
	rd := &Reader{cr: hr, parse: parse, line: 1, offset: headerEnd, base: bom}
	if resume > headerEnd {
		in, err := seek(resume)
		if err != nil {
			return nil, 0, fmt.Errorf("resume at byte %d: %w", resume, err)
		}
		rd.cr = csv.NewReader(bufio.NewReaderSize(in, 1<<16))
		rd.cr.ReuseRecord = true
		rd.base, rd.offset, rd.line = resume, resume, line
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
	rd.line++
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return warehouse.Company{}, &RowError{Line: rd.line, Reason: pe.Err.Error()}
		}
		return warehouse.Company{}, err
	}
	c, reason := rd.parse(row)
	if reason != "" {
		return warehouse.Company{}, &RowError{Line: rd.line, Reason: reason}
	}
	return c, nil
}

// Offset returns the byte offset just after the last row read; Line its line number
// (physical lines differ only for quoted fields holding newlines).
func (rd *Reader) Offset() int64 { return rd.offset }

// Line returns the number of the last row read (the header is line 1).
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
