package par

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestForCallsEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100, 1000} {
		counts := make([]atomic.Int32, n)
		For(n, 4, func(i int) { counts[i].Add(1) })
		for i := range counts {
			if c := counts[i].Load(); c != 1 {
				t.Fatalf("n=%d: index %d called %d times", n, i, c)
			}
		}
	}
}

func TestMapKeepsOrderAndFirstError(t *testing.T) {
	got, err := Map(200, 4, func(i int) (string, error) { return fmt.Sprint(i), nil })
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range got {
		if s != fmt.Sprint(i) {
			t.Fatalf("out[%d] = %q", i, s)
		}
	}
	_, err = Map(200, 4, func(i int) (string, error) {
		if i == 150 || i == 40 {
			return "", fmt.Errorf("item %d: %w", i, errors.ErrUnsupported)
		}
		return "", nil
	})
	if err == nil || err.Error() != "item 40: unsupported operation" {
		t.Fatalf("err = %v, want the lowest failing index's", err)
	}
}

// TestForRaisesPanicOnCaller: a worker's panic comes out of For on the caller's
// goroutine, with its value and the worker's stack (the function that panicked).
func TestForRaisesPanicOnCaller(t *testing.T) {
	defer func() {
		p, ok := recover().(*Panic)
		if !ok || p.Value != "boom at 77" || p.String() != "boom at 77" {
			t.Fatalf("recovered %#v, want the worker's panic", p)
		}
		frames := runtime.CallersFrames(p.Callers())
		for {
			f, more := frames.Next()
			if strings.Contains(f.Function, "TestForRaisesPanicOnCaller.func") && strings.HasSuffix(f.File, "par_test.go") {
				return
			}
			if !more {
				t.Fatal("the worker's stack does not hold the function that panicked")
			}
		}
	}()
	For(1000, 4, func(i int) {
		if i == 77 {
			panic(fmt.Sprint("boom at ", i))
		}
	})
	t.Fatal("For returned after a panic")
}

// TestPoolRunsOnLongLivedGoroutines: Do returns fn's effects, runs calls from many
// goroutines at once, and raises fn's panic on the caller's goroutine with the stack
// where it happened; the pool still works after a panic.
func TestPoolRunsOnLongLivedGoroutines(t *testing.T) {
	p := NewPool(2)
	var sum atomic.Int64
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() { p.Do(func() { sum.Add(int64(i)) }) })
	}
	wg.Wait()
	if got := sum.Load(); got != 4950 {
		t.Fatalf("sum = %d, want 4950", got)
	}
	func() {
		defer func() {
			pv, ok := recover().(*Panic)
			if !ok || pv.String() != "boom" {
				t.Fatalf("recovered %v, want the *Panic of boom", pv)
			}
			frames := runtime.CallersFrames(pv.Callers())
			found := false
			for f, more := frames.Next(); more; f, more = frames.Next() {
				found = found || strings.Contains(f.Function, "poolPanics")
			}
			if !found {
				t.Fatal("the panic's stack does not name the function that panicked")
			}
		}()
		p.Do(poolPanics)
	}()
	ran := false
	p.Do(func() { ran = true })
	if !ran {
		t.Fatal("the pool does not run calls after a panic")
	}
}

func poolPanics() { panic("boom") }

// TestReserveLeavesACore: on two cores For runs two goroutines (indexes 0 and 1 meet
// while both are running), and one while a core is reserved; releasing twice gives the
// core back once.
func TestReserveLeavesACore(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	met := make(chan struct{})
	var arrived atomic.Int32
	For(2, 1, func(i int) {
		if arrived.Add(1) == 2 {
			close(met)
		}
		select {
		case <-met:
		case <-time.After(5 * time.Second):
			t.Errorf("index %d ran alone for 5 s: For used one goroutine on two cores", i)
		}
	})
	release := Reserve()
	if Reserved() != 1 {
		t.Fatalf("Reserved() = %d with one reservation", Reserved())
	}
	var running, most atomic.Int32
	For(20, 1, func(int) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(time.Millisecond)
		running.Add(-1)
	})
	if most.Load() != 1 {
		t.Errorf("with a core reserved of two, %d calls ran at once, want 1", most.Load())
	}
	release()
	release()
	if Reserved() != 0 {
		t.Errorf("Reserved() = %d after release", Reserved())
	}
}
