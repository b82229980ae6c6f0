// Package gctune gives the Go collector a floor under its heap goal.
//
// The collector starts a cycle when the heap has grown by GOGC percent (100) over what the
// last cycle left live. A steward process whose live heap is small (a PostgreSQL
// warehouse: no in-memory index) but which allocates fast (each resolved record decodes
// its candidates' features, encodes JSON and query parameters) then collects many times a
// second: measured on BenchmarkResolvePostgres, the collector took a third of the
// process's CPU, on cores the database shares. Floor raises GOGC, after every cycle, so
// that the next goal is at least the floor while the live heap is small (GOGC at most
// 5000: under ~5 MiB live the goal is 51 times the live heap, not the floor), and gives it
// back to 100 once the live heap reaches half of the floor. A large live heap (largeHeap
// and more: the SQLite memory index, ~650 MiB against a million masters) collects at
// GOGC 50: its garbage then cycles through a quarter of the memory instead of half, and
// on the 2-core VM of the figures BenchmarkResolveStreaming against a million masters
// measured ~9 % less CPU per record with GOGC=50 than with 100 (four interleaved pairs,
// four in its favour: 249–289 µs against 279–325, system time 51–61 µs against 69–83;
// the collector's extra cycles, ~90 ms each, cost less than the larger heap's fresh
// pages and cache misses). A memory limit (GOMEMLIMIT) still applies on top.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// DefaultFloor is the heap goal steward's commands keep at least: 256 MiB.
const DefaultFloor = 256 << 20

// maxPercent bounds the GOGC set: with a live heap of a few MiB the floor would
// otherwise ask for tens of thousands of percent.
const maxPercent = 5000

// largeHeap is the live heap from which GOGC is largePercent.
const (
	largeHeap    = 512 << 20
	largePercent = 50
)

var (
	mu      sync.Mutex
	floor   uint64
	percent = 100
	armed   bool
)

// Floor keeps the collector's heap goal at or above bytes (0: GOGC back to 100 at once and
// the tuner stopped). It is meant for a process's main, before its work starts, and only when
// the user has not set GOGC (main checks; this package reads no environment).
func Floor(bytes uint64) {
	mu.Lock()
	defer mu.Unlock()
	floor = bytes
	tuneLocked()
	if !armed && bytes > 0 {
		armed = true
		arm()
	}
}

// sentinel is a heap object whose finalizer runs once after each collection. It holds
// a pointer so that it is never combined with other objects by the tiny allocator
// (pointer-free objects under 16 bytes), whose finalizers may never run.
type sentinel struct{ _ *sentinel }

func arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		mu.Lock()
		defer mu.Unlock()
		tuneLocked()
		if floor > 0 {
			arm()
		} else {
			armed = false
		}
	})
}

// tuneLocked sets GOGC from the live heap of the last cycle and the floor.
func tuneLocked() {
	want := percentFor(liveHeap(), floor)
	if want != percent {
		percent = want
		debug.SetGCPercent(want)
	}
}

// percentFor is the GOGC whose goal, live*(1+p/100), reaches floor: at least 100, at
// most maxPercent; largePercent from a live heap of largeHeap (whose goal at
// largePercent is above the floor).
func percentFor(live, floor uint64) int {
	if floor == 0 { // the tuner off: Go's default
		return 100
	}
	if live >= largeHeap && live+live/2 >= floor { // its goal stays above the floor
		return largePercent
	}
	if live == 0 || floor <= 2*live {
		return 100
	}
	return int(min(uint64(maxPercent), (floor-live)*100/live))
}

// liveHeap is the heap the last collection marked live (0 before the first). Its sample
// is its own: the finalizer and the tests read at once.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// Percent is the GOGC the tuner set last (100 when it never raised it).
func Percent() int {
	mu.Lock()
	defer mu.Unlock()
	return percent
}
