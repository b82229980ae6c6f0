package par

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
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
