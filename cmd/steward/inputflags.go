package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
)

// inputFlags are the flags of commands that read records.
type inputFlags struct {
	format  string
	mapping string
	source  string
}

func (f *inputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.format, "format", "", "input format: jsonl or csv (default: from the file extension)")
	fs.StringVar(&f.mapping, "map", "", "CSV column mapping: 'col=field,col=field' or a YAML file (columns: {col: field})")
	fs.StringVar(&f.source, "source", "", "CSV: source name when no column maps to source (default: the file name)")
}

// owns reports whether the flag of that name is one of register's.
func (f *inputFlags) owns(name string) bool {
	return name == "format" || name == "map" || name == "source"
}

// options returns the input options of the flags; notices about the input (CSV columns
// kept in attributes) go to stderr.
func (f *inputFlags) options(stderr io.Writer) (input.Options, error) {
	o := input.Options{Notice: func(s string) { fmt.Fprintln(stderr, "notice:", s) }}
	switch f.format {
	case "", "jsonl", "csv":
		o.Format = input.Format(f.format)
	default:
		return o, usageError{fmt.Errorf("-format: want jsonl or csv, got %q", f.format)}
	}
	var m *contact.Mapping
	var err error
	switch {
	case f.mapping == "":
	case strings.Contains(f.mapping, "="):
		m, err = contact.ParseMapping(f.mapping)
	default:
		if _, statErr := os.Stat(f.mapping); statErr != nil {
			return o, statErr
		}
		m, err = contact.LoadMapping(f.mapping)
	}
	if err != nil {
		return o, err
	}
	if f.source != "" {
		if m == nil {
			m = &contact.Mapping{}
		}
		m.Source = f.source
	}
	o.Mapping = m
	return o, nil
}

// checkInputs reports the first of files (but "-", stdin) that cannot be read, before
// a command opens its warehouse or reads any: a misspelt second file failed the run
// after the first was ingested, and a missing only file left an empty warehouse behind.
func checkInputs(files []string) error {
	for _, f := range files {
		if f == "-" {
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		st, err := fh.Stat()
		fh.Close()
		if err != nil {
			return err
		}
		if st.IsDir() {
			return fmt.Errorf("%s: a directory, not a file of records", f)
		}
	}
	return nil
}
