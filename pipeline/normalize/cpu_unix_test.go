//go:build unix

package normalize

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used. Benchmarks report it per operation
// besides wall time, because on a shared machine wall time measures the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
