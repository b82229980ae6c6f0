package measure

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// IOCalls counts this process's write system calls and bytes: ten writes of 1 000 bytes
// to a file are seen in them.
func TestIOCalls(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/self/io is Linux's")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1000)
	r0, w0, b0 := IOCalls()
	for range 10 {
		if _, err := f.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	r1, w1, b1 := IOCalls()
	if w1-w0 < 10 || b1-b0 < 10000 {
		t.Errorf("after 10 writes of 1 000 bytes: %d write calls, %d bytes counted; want at least 10 and 10 000", w1-w0, b1-b0)
	}
	// Reading /proc/self/io is itself a read: the count moves.
	if r1 <= r0 {
		t.Errorf("read calls %d then %d: want the count to grow", r0, r1)
	}
}
