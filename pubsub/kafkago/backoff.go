package kafkago

import (
	"context"
	"time"
)

// backoff retries with pauses doubling from min to max. attempts <= 0 means
// until ctx ends.
type backoff struct {
	min, max time.Duration
	attempts int
}

// delay returns the pause before retry n (n >= 1).
func (b backoff) delay(n int) time.Duration {
	d := b.min
	for i := 1; i < n && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max)
}

// retry calls fn until it succeeds, reports the error as permanent, attempts
// run out or ctx ends; it returns fn's last error.
func (b backoff) retry(ctx context.Context, fn func() (retryable bool, err error)) error {
	for n := 1; ; n++ {
		retryable, err := fn()
		if err == nil || !retryable || (b.attempts > 0 && n >= b.attempts) {
			return err
		}
		if !sleep(ctx, b.delay(n)) {
			return err
		}
	}
}

// sleep waits d or until ctx ends; it reports whether the full pause elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
