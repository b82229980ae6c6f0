package kafkago_test

import (
	"testing"
	"time"

	"github.com/steward-crm/steward/pubsub/kafkago"
)

// TestCloseWaitsForTooLargeRetry: Close flushes the pending batch and waits for the
// Publish calls in flight (its contract). When the batch it flushes is refused for one
// message too large, the others are written again alone: they are written, not failed
// with ErrPublisherClosed because Close closed that writer under them, and Close
// returns (kafka-go's Close waits forever for a partition writer that a write entering
// as it closes creates after it).
func TestCloseWaitsForTooLargeRetry(t *testing.T) {
	brokers := startCluster(t)
	createSmallTopic(t, brokers, "closing")
	for round := range 50 {
		// A batch timeout far longer than the test: only Close sends the batch.
		pub, err := kafkago.NewPublisher(kafkago.PublisherConfig{Brokers: brokers, BatchTimeout: time.Minute}, nil)
		if err != nil {
			t.Fatal(err)
		}
		wait := publishBesideLarge(pub, "closing")
		time.Sleep(100 * time.Millisecond) // every message waits in the batch
		closed := make(chan error, 1)
		go func() { closed <- pub.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: Close did not return in 10 s", round)
		}
		errs := wait()
		for i, err := range errs[:len(errs)-1] {
			if err != nil {
				t.Fatalf("round %d: small message %d: %v, want it written before Close returned", round, i, err)
			}
		}
	}
}
