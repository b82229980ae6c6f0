package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// writeOutput runs write on a buffered writer to path ('-': stdout) and, for a file,
// reports "<n> <what> written to <path>" on stderr once the file is closed cleanly.
func writeOutput(e *env, path, what string, write func(w io.Writer) (int, error)) error {
	var w io.Writer = e.stdout
	var f *os.File
	if path != "-" {
		var err error
		if f, err = os.Create(path); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	n, err := write(bw)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "%d %s written to %s\n", n, what, path)
	}
	return nil
}
