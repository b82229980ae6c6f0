package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercentFor(t *testing.T) {
	for _, c := range []struct {
		live, floor uint64
		want        int
	}{
		{0, 256 << 20, 100},         // before the first cycle
		{64 << 20, 256 << 20, 300},  // goal 64 * 4 = 256 MiB
		{100 << 20, 256 << 20, 156}, // goal just under 256 MiB
		{128 << 20, 256 << 20, 100}, // live is half the floor: GOGC's own goal reaches it
		{300 << 20, 256 << 20, 100}, // above the floor, under largeHeap
		{511 << 20, 256 << 20, 100},
		{512 << 20, 256 << 20, 50},       // largeHeap: the SQLite memory index of ~500k records
		{900 << 20, 256 << 20, 50},       // the SQLite memory index of a million
		{900 << 20, 1024 << 20, 50},      // goal 1 350 MiB, above the floor
		{600 << 20, 1024 << 20, 100},     // at 50 the goal (900 MiB) would be under the floor
		{1 << 20, 256 << 20, maxPercent}, // bounded
		{64 << 20, 0, 100},               // no floor
		{900 << 20, 0, 100},              // no floor: the tuner off, Go's default
	} {
		if got := percentFor(c.live, c.floor); got != c.want {
			t.Errorf("percentFor(%d MiB, %d MiB) = %d, want %d", c.live>>20, c.floor>>20, got, c.want)
		}
	}
}

// waitPercent collects until the tuner's finalizer has set a GOGC that ok accepts, or
// fails.
func waitPercent(t *testing.T, what string, ok func(p int) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(Percent()) {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC stayed %d, want %s (live heap %d MiB)", Percent(), what, liveHeap()>>20)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// The real runtime: GOGC goes up while the live heap is small, back to 100 when it
// grows past half the floor, down to 50 when it is large, and back to 100 when the floor
// is removed.
func TestFloorFollowsTheLiveHeap(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC()
	small := liveHeap()
	if small == 0 || small > 16<<20 {
		t.Fatalf("live heap of the test binary is %d bytes, want a small heap (0 < live <= 16 MiB)", small)
	}
	raised := func(p int) bool { return p > 100 }
	Floor(256 << 20)
	defer Floor(0)
	waitPercent(t, "> 100", raised)
	if got := debug.SetGCPercent(Percent()); got != Percent() {
		t.Fatalf("runtime GOGC %d, tuner says %d", got, Percent())
	}
	// Hold 160 MiB live: more than half the floor.
	held := make([][]byte, 160)
	for i := range held {
		held[i] = make([]byte, 1<<20)
	}
	waitPercent(t, "100", func(p int) bool { return p == 100 })
	// And largeHeap more: GOGC 50.
	large := make([][]byte, largeHeap>>20)
	for i := range large {
		large[i] = make([]byte, 1<<20)
	}
	waitPercent(t, "50", func(p int) bool { return p == largePercent })
	runtime.KeepAlive(large)
	large = nil
	waitPercent(t, "100", func(p int) bool { return p == 100 })
	runtime.KeepAlive(held)
	held = nil
	waitPercent(t, "> 100", raised)
	Floor(0)
	if p := Percent(); p != 100 {
		t.Fatalf("GOGC %d after Floor(0), want 100", p)
	}
}
