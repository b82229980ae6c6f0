package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/internal/gctune"
)

func TestGCFloor(t *testing.T) {
	defer gctune.Floor(0)
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	// raised collects until the tuner's GOGC is over 100, for at most wait, and reports
	// whether it got there.
	raised := func(wait time.Duration) bool {
		for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			runtime.GC()
			if gctune.Percent() > 100 {
				return true
			}
		}
		return false
	}
	if err := gcFloor(env(map[string]string{"STEWARD_GC_FLOOR": "12x"})); err == nil || !strings.Contains(err.Error(), "STEWARD_GC_FLOOR") {
		t.Fatalf("STEWARD_GC_FLOOR=12x: got %v, want an error naming it", err)
	}
	if err := gcFloor(env(map[string]string{"GOGC": "100"})); err != nil || raised(200*time.Millisecond) {
		t.Fatalf("GOGC set: err %v, GOGC raised to %d; want the user's GOGC left alone", err, gctune.Percent())
	}
	if err := gcFloor(env(nil)); err != nil || !raised(5*time.Second) {
		t.Fatalf("default: err %v, GOGC %d; want it raised over a small live heap", err, gctune.Percent())
	}
	if err := gcFloor(env(map[string]string{"STEWARD_GC_FLOOR": "0"})); err != nil || gctune.Percent() != 100 {
		t.Fatalf("STEWARD_GC_FLOOR=0: err %v, GOGC %d; want 100", err, gctune.Percent())
	}
}

// A batch run's GOGC 200 stays: main's heap floor, on from the start, no longer resets it
// after the next cycle.
func TestBatchGCKeepsItsGOGC(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer gctune.Floor(0)
	if err := gcFloor(func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	batchGC(3<<30, false, false)
	// The batch's records: a live heap past half the floor, where the floor would ask
	// for GOGC 100.
	held := make([][]byte, 160)
	for i := range held {
		held[i] = make([]byte, 1<<20)
	}
	for range 5 {
		runtime.GC()
		time.Sleep(20 * time.Millisecond) // the tuner's finalizer runs after the cycle
	}
	runtime.KeepAlive(held)
	if p := debug.SetGCPercent(200); p != 200 {
		t.Fatalf("GOGC %d after a batch run's setup and five cycles over 160 MiB live, want 200", p)
	}
}
