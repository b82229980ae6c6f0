//go:build race

package resolve

// raceEnabled shrinks slow tests under the race detector (10× slower), which checks
// concurrency, not accuracy.
const raceEnabled = true
