package pipeline

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// Panicked turns the value p recovered from a panic into a data error (it wraps
// ErrInvalidRecord: a record that panics a stage will panic it again, so it is
// dead-lettered, not retried) that says where the panic happened: the panic value's
// first line and the innermost function of this module on the stack, so that a
// dead-letter reason points a developer at the code without being a stack trace.
// Call it from the deferred function that recovered p.
func Panicked(p any) error {
	msg := fmt.Sprint(p)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 200 { // with the site, a reason stays under 300 bytes
		msg = msg[:200] + "…"
	}
	if at := panicSite(panicPCs(p, 3)); at != "" {
		return fmt.Errorf("%w: panic: %s (at %s)", ErrInvalidRecord, msg, at)
	}
	return fmt.Errorf("%w: panic: %s", ErrInvalidRecord, msg)
}

// PanicSite returns where the panic p (recovered by the caller) was raised, "file.go:line
// function" of this module, without its value: what a log may say of a panic whose value
// may quote a record.
func PanicSite(p any) string { return panicSite(panicPCs(p, 3)) }

// panicPCs returns the stack of the panic p: the one it carries when raised again from
// another goroutine (internal/par), else the caller's, skip frames up (runtime.Callers'
// count: 3 is the caller of the function that calls panicPCs).
func panicPCs(p any, skip int) []uintptr {
	if w, ok := p.(interface{ Callers() []uintptr }); ok {
		return w.Callers()
	}
	var buf [128]uintptr
	return buf[:runtime.Callers(skip, buf[:])]
}

// panicSite returns "file.go:line function" of the innermost frame of this module below
// the panic, on the stack pcs taken in the function that recovered it, or "": a panic
// raised in the standard library (strings.Repeat with a negative count) names the
// module's function that called it. A deferred function that recovers and panics again
// (to roll a transaction back) raises it anew; the stack still holds the first panic
// beneath it, so the site is found below the deepest runtime.gopanic.
func panicSite(pcs []uintptr) string {
	frames := runtime.CallersFrames(pcs)
	site, looking := "", false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			site, looking = "", true
		case looking && strings.HasPrefix(f.Function, modulePath):
			looking = false
			site = fmt.Sprintf("%s:%d %s", filepath.Base(f.File), f.Line, strings.TrimPrefix(f.Function, modulePath))
		}
		if !more {
			return site
		}
	}
}

// modulePath prefixes the functions of this module.
const modulePath = "github.com/steward-crm/steward/"
