package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func writeHello(w io.Writer) error { _, err := io.WriteString(w, "a,b\n"); return err }

// TestOutputKeepsExistingFileMode: -o over an existing file kept its mode (os.Create
// truncates in place); since c653df2 the file is replaced by a 0600 temporary file, so
// an export a group or another account was meant to read (0640, 0644) silently becomes
// unreadable to it.
func TestOutputKeepsExistingFileMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "golden.csv")
	if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := writeFileWith(p, writeHello); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v after writing over a 0640 file, want 0640", fi.Mode().Perm())
	}
}

// TestOutputThroughDanglingSymlink: -o a symbolic link whose target does not exist yet
// created the target (os.Create follows the link); since c653df2 EvalSymlinks fails, and
// the rename replaces the link itself with a regular file.
func TestOutputThroughDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real", "golden.csv")
	if err := os.Mkdir(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.csv")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := writeFileWith(link, writeHello); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "a,b\n" {
		t.Errorf("target %q %v", b, err)
	}
}

// TestOutputInReadOnlyDirectory: a writable file in a directory the user cannot write
// (a drop file prepared by an administrator, or a shell redirection there read through
// -o /dev/stdout) was written in place; since c653df2 the temporary file cannot be
// created beside it and the command fails. Root ignores permissions: run it as another
// user (setpriv --reuid=65534 --regid=65534 --clear-groups ./steward.test ...).
func TestOutputInReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "golden.csv")
	if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if err := writeFileWith(p, writeHello); err != nil {
		t.Fatalf("writing a writable file in a read-only directory: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "a,b\n" {
		t.Errorf("file holds %q", b)
	}
}

// TestOutputToUnlinkedStdout: "-o /dev/stdout" where stdout is a regular file that has
// no name any more (Python's tempfile.TemporaryFile, an O_TMPFILE capture) worked:
// os.Create reopens it through /proc/self/fd. Since c653df2 createOutput sees a regular
// file, EvalSymlinks fails on the "(deleted)" target, and the temporary file is created
// beside the link itself: in /proc/self/fd (fails), or, for /dev/stdout run as root, in
// /dev, where the rename then replaces the /dev/stdout link with a regular file. The
// test uses /proc/self/fd/N, which is harmless.
func TestOutputToUnlinkedStdout(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "capture")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.Remove(f.Name()); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/proc/self/fd/%d", f.Fd())
	if err := writeFileWith(path, writeHello); err != nil {
		t.Fatalf("-o %s (stdout an unlinked file): %v", path, err)
	}
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<20))
	if err != nil || string(b) != "a,b\n" {
		t.Errorf("captured %q, %v", b, err)
	}
}
