package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/service"
)

// inputFlags are the flags of commands that read records.
type inputFlags struct {
	format    string
	mapping   string
	source    string
	dateOrder string
	// suffix ends the flags' names ("-b": link's second file, -map-b...); "" for the
	// others.
	suffix string
}

// inputFlagNames are the names of the input flags, without a suffix.
var inputFlagNames = []string{"format", "map", "source", "date-order"}

func (f *inputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.format, "format", "", "input format: jsonl or csv (default: from the file extension)")
	fs.StringVar(&f.mapping, "map", "", "CSV column mapping: 'col=field,col=field' or a YAML file (columns: {col: field})")
	fs.StringVar(&f.source, "source", "", "CSV: source name when no column maps to source (default: the file name)")
	fs.StringVar(&f.dateOrder, "date-order", "", "CSV: read updated_at written as a spreadsheet's date (31/12/2026 14:30): dmy, mdy or ymd (default: RFC 3339 only)")
}

// registerB registers the input flags of link's second file, B: -format-b, -map-b,
// -source-b and -date-order-b, each in place of A's flag of that name for B (optionsB).
// Two sources' exports seldom share a layout, and one mapping naming the columns of both
// failed on each (a column it names must be in the header).
func (f *inputFlags) registerB(fs *flag.FlagSet) {
	f.suffix = "-b"
	fs.StringVar(&f.format, "format-b", "", "file B: input format (default: -format's)")
	fs.StringVar(&f.mapping, "map-b", "", "file B: CSV column mapping (default: -map's)")
	fs.StringVar(&f.source, "source-b", "", "file B: CSV source name when no column maps to source (default: -source's, or with -map-b its file's source:)")
	fs.StringVar(&f.dateOrder, "date-order-b", "", "file B: CSV updated_at date order (default: -date-order's, or with -map-b its file's date_order:)")
}

// optionsB returns the input options of link's file B: f's flags (registerB's) that are
// set, and a's (A's) for the others. With -map-b, a source or date_order its file sets
// is B's, and A's -source and -date-order only stand for one it leaves out. Each -*-b
// flag set dropped all of A's for B: `-source-b shop` alone read B without A's -map,
// its columns kept in attributes.
func (f *inputFlags) optionsB(a *inputFlags, stderr io.Writer) (input.Options, error) {
	g := *a
	g.suffix = f.suffix
	g.format = cmp.Or(f.format, a.format)
	if f.mapping == "" {
		g.source, g.dateOrder = cmp.Or(f.source, a.source), cmp.Or(f.dateOrder, a.dateOrder)
		return g.options(stderr)
	}
	g.mapping, g.source, g.dateOrder = f.mapping, f.source, f.dateOrder
	o, err := g.options(stderr)
	if err != nil || o.Mapping == nil {
		return o, err
	}
	o.Mapping.Source = cmp.Or(o.Mapping.Source, a.source)
	o.Mapping.DateOrder = cmp.Or(o.Mapping.DateOrder, a.dateOrder)
	return o, nil
}

// owns reports whether the flag of that name is one of register's (registerB's).
func (f *inputFlags) owns(name string) bool {
	base, ok := strings.CutSuffix(name, f.suffix)
	return ok && slices.Contains(inputFlagNames, base)
}

// isSet reports whether any of f's flags is set.
func (f *inputFlags) isSet() bool {
	return f.format != "" || f.mapping != "" || f.source != "" || f.dateOrder != ""
}

// load returns the input options of the flags and the configuration of cf: what a
// command that reads records without a warehouse (normalize, produce, compare -file)
// starts from.
func (f *inputFlags) load(e *env, cf *configFlags) (input.Options, service.Config, error) {
	opts, err := f.options(e.stderr)
	if err != nil {
		return opts, service.Config{}, usageError{err}
	}
	cfg, err := cf.load(e)
	return opts, cfg, err
}

// given returns the input flags set on fs's command line ("-map", ...): commands that
// read no file in some mode refuse them there.
func (f *inputFlags) given(fs *flag.FlagSet) []string {
	var out []string
	fs.Visit(func(fl *flag.Flag) {
		if f.owns(fl.Name) {
			out = append(out, "-"+fl.Name)
		}
	})
	return out
}

// options returns the input options of the flags; notices about the input (CSV columns
// kept in attributes) go to stderr.
func (f *inputFlags) options(stderr io.Writer) (input.Options, error) {
	o := input.Options{Notice: func(s string) { fmt.Fprintln(stderr, "notice:", s) }}
	switch f.format {
	case "", "jsonl", "csv":
		o.Format = input.Format(f.format)
	default:
		return o, usageError{fmt.Errorf("-format%s: want jsonl or csv, got %q", f.suffix, f.format)}
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
	if f.source != "" || f.dateOrder != "" {
		if m == nil {
			m = &contact.Mapping{}
		}
		if f.source != "" {
			m.Source = f.source
		}
		if f.dateOrder != "" {
			if !slices.Contains(contact.DateOrders, f.dateOrder) {
				return o, usageError{fmt.Errorf("-date-order%s: want %s, got %q", f.suffix, strings.Join(contact.DateOrders, ", "), f.dateOrder)}
			}
			m.DateOrder = f.dateOrder
		}
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

// checkOutputs refuses output files (flag → path; "" unset) that are one of the input
// files or one another: `dedupe export.csv -out export.csv` replaced the export with the
// clusters, and two outputs of one path overwrote each other, without a word.
func checkOutputs(inputs []string, outputs map[string]string) error {
	flags := slices.Sorted(maps.Keys(outputs))
	seen := map[string]string{}
	for _, flag := range flags {
		out := outputs[flag]
		if out == "" {
			continue
		}
		abs, err := filepath.Abs(out)
		if err != nil {
			return err
		}
		if other, ok := seen[abs]; ok {
			return usageError{fmt.Errorf("%s and %s name one file, %s", other, flag, out)}
		}
		seen[abs] = flag
		st, err := os.Stat(out)
		if err != nil {
			continue // a new file is no input
		}
		for _, in := range inputs {
			if in == "-" {
				continue
			}
			if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
				return usageError{fmt.Errorf("%s %s is the input file %s: it would be overwritten", flag, out, in)}
			}
		}
	}
	return nil
}
