// Package par runs the iterations of a loop on every core. It is for CPU work inside a
// single writer's transaction (scoring candidates, encoding rows to JSON), where the
// database is idle meanwhile: the other core would otherwise wait.
package par

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// reserved counts the cores Reserve holds.
var reserved atomic.Int32

// Reserve takes a core for a serial task that the loops running meanwhile must not slow
// down, until release is called: For then uses one goroutine fewer. The SQLite
// pipeline's writer holds one while it writes (resolve.Batcher): a batch is prepared on
// the other goroutines meanwhile, and when they took every core the writer, the
// pipeline's slowest stage, waited for the CPU (against 1M masters a batch's write took
// ~18 ms of wall time for ~10 ms of CPU, and a core stood idle at the end of each batch
// while the loop waited for the write).
func Reserve() (release func()) {
	reserved.Add(1)
	var once sync.Once
	return func() { once.Do(func() { reserved.Add(-1) }) }
}

// Reserved returns the cores Reserve holds.
func Reserved() int { return int(reserved.Load()) }

// For calls fn(i) for i in [0, n), on up to GOMAXPROCS goroutines (less the cores
// Reserve holds, at least one); with fewer than serial iterations per goroutine it runs
// them all on the caller's goroutine. fn must be
// safe to call concurrently for different i. For returns when every call has returned;
// a panic in fn is raised again on the caller's goroutine (where a handler's recoverer
// can catch it), after the other goroutines have stopped; one raised on another
// goroutine comes as a *Panic that keeps that goroutine's stack (pipeline.Panicked reads
// it). Run serially, fn panics on the caller's goroutine as it is.
func For(n, serial int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0)-Reserved(), n/max(serial, 1))
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var panicked any
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					once.Do(func() { panicked = newPanic(p) })
					next.Store(int64(n)) // the others stop at their next iteration
				}
			}()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}

// Map returns fn(i) for i in [0, n), computed as For does; the error is that of the
// lowest i that failed.
func Map[T any](n, serial int, fn func(i int) (T, error)) ([]T, error) {
	out := make([]T, n)
	err := Each(n, serial, func(i int) (err error) {
		out[i], err = fn(i)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Each calls fn(i) for i in [0, n) as For does and returns the error of the lowest i that
// failed.
func Each(n, serial int, fn func(i int) error) error {
	errs := make([]error, n)
	For(n, serial, func(i int) { errs[i] = fn(i) })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Panic is a panic raised in a worker goroutine and raised again on the caller's: its
// value, and the worker's stack when it panicked (the caller's stack no longer shows
// where it happened).
type Panic struct {
	Value any
	pcs   []uintptr
}

func newPanic(v any) *Panic {
	if p, ok := v.(*Panic); ok {
		return p // a nested loop's: it holds the deeper stack
	}
	pcs := make([]uintptr, 64)
	return &Panic{Value: v, pcs: pcs[:runtime.Callers(3, pcs)]}
}

// String is the panic value's.
func (p *Panic) String() string { return fmt.Sprint(p.Value) }

// Callers are the program counters of the worker's stack, from the deferred function
// that recovered the panic down (runtime.CallersFrames reads them).
func (p *Panic) Callers() []uintptr { return p.pcs }
