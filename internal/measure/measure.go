// Package measure is what the benchmarks report besides wall time: the process's CPU
// time (on a shared VM, steadier than wall time, and it counts the work on every core)
// and a CPU profile of the measured phase alone.
package measure

import (
	"bufio"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// CPUTime is the process's user and system CPU time so far.
func CPUTime() time.Duration {
	ru := usage()
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// SysTime is the process's system CPU time so far.
func SysTime() time.Duration {
	ru := usage()
	return time.Duration(ru.Stime.Nano())
}

// IOCalls is the number of read and write system calls (read, pread, write, pwrite and
// their vector forms) the process has made so far, and the bytes they asked to write,
// from /proc/self/io (Linux; zeros elsewhere or when it cannot be read). Unlike time,
// the count does not depend on how busy the machine is: what a change to the database's
// writes does is seen in it run to run.
func IOCalls() (reads, writes, written int64) {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return 0, 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "syscr":
			reads = n
		case "syscw":
			writes = n
		case "wchar":
			written = n
		}
	}
	return reads, writes, written
}

// PeakRSS is the process's peak resident set size in bytes.
func PeakRSS() int64 {
	return usage().Maxrss * 1024 // Linux: KiB
}

func usage() syscall.Rusage {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // zero on failure
	return ru
}

// Profile writes a CPU profile of the phase up to the returned stop to the file named by
// STEWARD_BENCH_CPUPROFILE, with the benchmark's name appended
// ("cpu.prof.BenchmarkResolvePostgres_workers=1"): go test's -cpuprofile would be mostly
// the benchmark's set-up (a warehouse's preload, an index's load). Without the variable
// it does nothing.
//
// STEWARD_BENCH_MEMPROFILE writes two heap profiles, at the phase's start and end (path
// + name + ".start" and ".end"): `go tool pprof -sample_index=alloc_space
// -diff_base=P.start P.end` shows what the phase allocated.
func Profile(tb testing.TB) (stop func()) {
	name := "." + strings.ReplaceAll(tb.Name(), "/", "_")
	heap := func(suffix string) {
		path := os.Getenv("STEWARD_BENCH_MEMPROFILE")
		if path == "" {
			return
		}
		f, err := os.Create(path + name + suffix)
		if err != nil {
			tb.Fatal(err)
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			tb.Error(err)
		}
	}
	heap(".start")
	path := os.Getenv("STEWARD_BENCH_CPUPROFILE")
	if path == "" {
		return func() { heap(".end") }
	}
	f, err := os.Create(path + name)
	if err != nil {
		tb.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		tb.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			tb.Error(err)
		}
		heap(".end")
	}
}
