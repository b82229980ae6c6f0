package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeOutput runs write on a buffered writer to path ('-': stdout) and, for a file,
// reports "<n> <what> written to <path>" on stderr once the file is closed cleanly. A
// file is replaced only when write and the flush succeed (see createOutput).
func writeOutput(e *env, path, what string, write func(w io.Writer) (int, error)) error {
	var w io.Writer = e.stdout
	var o *outputFile
	if path != "-" {
		var err error
		if o, err = createOutput(path); err != nil {
			return err
		}
		defer o.abort()
		w = o.f
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	n, err := write(bw)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if o != nil {
		if err := o.commit(); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "%d %s written to %s\n", n, what, path)
	}
	return nil
}

// outputFile is a command's output file being written: see createOutput.
type outputFile struct {
	f         *os.File
	path, tmp string // tmp: the temporary file renamed to path by commit ("": f is path)
	done      bool
}

// createOutput opens path for a command's output. A regular file (or a new one) is
// written under a temporary name beside it, mode 0600 (the output holds personal data),
// and renamed over path by commit: a run that fails (abort) leaves the earlier file, or
// none, instead of a truncated one that reads as complete. Anything else (a device such
// as /dev/stdout, a named pipe) is written in place.
func createOutput(path string) (*outputFile, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &outputFile{f: f, path: path}, nil
	}
	target := path
	if p, err := filepath.EvalSymlinks(path); err == nil {
		target = p // replace the file a link points to, not the link
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &outputFile{f: f, path: target, tmp: f.Name()}, nil
}

// commit closes the file and, for a regular file, syncs it and renames it to its path.
func (o *outputFile) commit() error {
	o.done = true
	if o.tmp == "" {
		return o.f.Close()
	}
	err := o.f.Sync()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(o.tmp, o.path)
	}
	if err != nil {
		os.Remove(o.tmp)
	}
	return err
}

// abort closes the file and removes the temporary one, unless commit was called.
func (o *outputFile) abort() {
	if o.done {
		return
	}
	o.done = true
	o.f.Close()
	if o.tmp != "" {
		os.Remove(o.tmp)
	}
}
