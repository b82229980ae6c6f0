package pipeline

import (
	"errors"
	"strings"
	"testing"

	"github.com/steward-crm/steward/internal/par"
)

func panicky(m map[string]int) { m["x"] = 1 } // a nil map: assignment panics

// libraryPanic panics inside the standard library.
func libraryPanic(n int) string { return strings.Repeat("x", n) }

func recoverInto(err *error, fn func()) {
	defer func() {
		if p := recover(); p != nil {
			*err = Panicked(p)
		}
	}()
	fn()
}

// TestPanickedNamesTheSite: the error is a data error with the panic value's first line
// and the function that panicked, not the recovering one.
func TestPanickedNamesTheSite(t *testing.T) {
	var err error
	recoverInto(&err, func() { panicky(nil) })
	if !errors.Is(err, ErrInvalidRecord) {
		t.Fatalf("%v does not wrap ErrInvalidRecord", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "assignment to entry in nil map") || !strings.Contains(msg, "panic_test.go:") || !strings.Contains(msg, "pipeline.panicky") {
		t.Errorf("error %q: want the panic value and the site pipeline.panicky in panic_test.go", msg)
	}
	// A deferred function that recovers and panics again (a rollback) keeps the site.
	recoverInto(&err, func() {
		defer func() {
			if p := recover(); p != nil {
				panic(p)
			}
		}()
		panicky(nil)
	})
	if msg := err.Error(); !strings.Contains(msg, "pipeline.panicky") {
		t.Errorf("error %q after a re-panic: want the site pipeline.panicky", msg)
	}
	// A panic in a worker of internal/par, raised again on the caller's goroutine, keeps
	// the worker's site.
	recoverInto(&err, func() {
		par.For(64, 1, func(i int) {
			if i == 33 {
				panicky(nil)
			}
		})
	})
	if msg := err.Error(); !strings.Contains(msg, "pipeline.panicky") || !strings.Contains(msg, "assignment to entry in nil map") {
		t.Errorf("error %q after a worker's panic: want its value and the site pipeline.panicky", msg)
	}
	// A panic raised in the standard library names the module's function that called it,
	// also beneath a re-panic.
	recoverInto(&err, func() {
		defer func() {
			if p := recover(); p != nil {
				panic(p)
			}
		}()
		libraryPanic(-1)
	})
	if msg := err.Error(); !strings.Contains(msg, "pipeline.libraryPanic") {
		t.Errorf("error %q for a panic in strings.Repeat: want the site pipeline.libraryPanic", msg)
	}
	recoverInto(&err, func() { panic("first line\nsecond line") })
	if msg := err.Error(); strings.Contains(msg, "second line") || !strings.Contains(msg, "first line") {
		t.Errorf("error %q: want the first line only", msg)
	}
}

// TestPanicSiteWithoutValue: PanicSite names where a panic was raised and not its value,
// which may quote a record (the prefetch's log printed it at error level).
func TestPanicSiteWithoutValue(t *testing.T) {
	var site string
	func() {
		defer func() {
			if p := recover(); p != nil {
				site = PanicSite(p)
			}
		}()
		panic("bad value jane.doe@example.org")
	}()
	if !strings.Contains(site, "panic_test.go:") || strings.Contains(site, "jane.doe") {
		t.Errorf("site %q: want the file and line, without the value", site)
	}
}
