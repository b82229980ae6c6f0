package kafkago_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
	"github.com/steward-crm/steward/pubsub/kafkago"
)

// TestTooLargeKeepsPublishOrder: a Publish call whose first messages were batched with
// a concurrent message too large (refused with it) and whose later ones went out in the
// next batch: written again alone, the first ones would follow the later ones of their
// key. Publish may fail (some messages written, as after any error), but when it
// reports success its messages, all of one key, are in the partition in publish order
// (Publisher: "messages with the same KeyMetadata value go to the same partition in
// publish order"). As the publisher stands, the call fails here (16 of 16 runs on
// 2026-12-05): refusedForSize keeps the error because later messages of the key were
// written; the order check guards the success a rewrite of the refused ones would give.
func TestTooLargeKeepsPublishOrder(t *testing.T) {
	brokers := startCluster(t)
	createSmallTopic(t, brokers, "ordered")
	pub, err := kafkago.NewPublisher(kafkago.PublisherConfig{Brokers: brokers, BatchSize: 4, BatchTimeout: 300 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	var wg sync.WaitGroup
	var largeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		m := message.NewMessage("large", []byte(`"`+strings.Repeat("x", 2500)+`"`))
		m.Metadata.Set(kafkago.KeyMetadata, "k")
		largeErr = pub.Publish("ordered", m)
	}()
	time.Sleep(50 * time.Millisecond) // the large message opens the batch
	const n = 8
	msgs := make([]*message.Message, n)
	for i := range msgs {
		msgs[i] = message.NewMessage(strconv.Itoa(i), []byte(`{"n":`+strconv.Itoa(i)+`}`))
		msgs[i].Metadata.Set(kafkago.KeyMetadata, "k")
	}
	err = pub.Publish("ordered", msgs...)
	wg.Wait()
	if !kafkago.IsTooLarge(largeErr) {
		t.Errorf("the message too large: %v, want a too-large error", largeErr)
	}
	if err != nil {
		return // failed as a whole: no order promised for what was written
	}
	leader, err := kafka.DialLeader(context.Background(), "tcp", brokers[0], "ordered", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer leader.Close()
	leader.SetReadDeadline(time.Now().Add(5 * time.Second))
	batch := leader.ReadBatch(1, 1<<20)
	var got []string
	for len(got) < n {
		m, err := batch.ReadMessage()
		if err != nil {
			t.Fatalf("read after %v: %v", got, err)
		}
		got = append(got, string(m.Value))
	}
	batch.Close()
	for i, v := range got {
		if want := `{"n":` + strconv.Itoa(i) + `}`; v != want {
			t.Fatalf("Publish succeeded, the partition holds %v; want the messages in publish order", got)
		}
	}
}
