//go:build race

package service

// raceEnabled shrinks slow tests under the race detector (10× slower), which checks
// concurrency, not accuracy.
const raceEnabled = true
