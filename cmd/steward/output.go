package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
// written under a temporary name beside it and renamed over path by commit: a run that
// fails (abort) leaves the earlier file, or none, instead of a truncated one that reads as
// complete. A new file is created with mode 0600 (the output holds personal data); an
// existing one keeps its mode. A symbolic link is followed (a dangling one to its target,
// as os.Create does). Anything else (a device such as /dev/stdout on a terminal or a
// pipe, a named pipe) is written in place, and so is an existing file that cannot be
// replaced: its directory is not writable, or its name does not lead back to it
// (/dev/stdout redirected to a file that was unlinked).
func createOutput(path string) (*outputFile, error) {
	fi, err := os.Stat(path)
	exists := err == nil
	if exists && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &outputFile{f: f, path: path}, nil
	}
	target, perm := linkTarget(path), os.FileMode(0o600)
	if exists {
		if tfi, err := os.Stat(target); err != nil || !os.SameFile(fi, tfi) {
			return inPlace(path)
		}
		perm = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		if exists && errors.Is(err, fs.ErrPermission) {
			return inPlace(path)
		}
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if perm != 0o600 {
		if err := f.Chmod(perm); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
	}
	return &outputFile{f: f, path: target, tmp: f.Name()}, nil
}

// inPlace opens an existing file to be overwritten where it is, as os.Create does.
func inPlace(path string) (*outputFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return nil, err
	}
	return &outputFile{f: f, path: path}, nil
}

// linkTarget follows the symbolic links of path (its last element), dangling or not.
func linkTarget(path string) string {
	for range 40 { // the kernel's limit
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return path
		}
		dst, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(dst) {
			dst = filepath.Join(filepath.Dir(path), dst)
		}
		path = dst
	}
	return path
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
