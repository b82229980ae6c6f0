//go:build race

package sqlite

// raceEnabled shrinks slow tests under the race detector (10× slower), which checks
// concurrency, not the coverage of random cases.
const raceEnabled = true
