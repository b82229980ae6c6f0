package handlers

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/resolve"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlite"
)

// TestDeadLetterHandlerResult: one bad record is dead-lettered once, by
// normalize. The dead_letters handler then stores it, successfully, but the metrics
// middleware reads the reason_poisoned header the DLQ message carries and counts that
// store as result="dead_lettered" too: steward_messages_processed_total{result=
// "dead_lettered"} counts every dead letter twice, and the dead_letters handler never
// reports "ok".
func TestDeadLetterHandlerResult(t *testing.T) {
	r := rules.Default()
	nc, ic, err := stages.Chains(r)
	if err != nil {
		t.Fatal(err)
	}
	eng, _ := match.New(r)
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	bus := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, nil)
	metrics := NewMetrics(prometheus.NewRegistry())
	stored := make(chan struct{}, 1)
	router, err := NewRouter(Config{
		Subscriber: bus, Publisher: bus,
		Middleware: []message.HandlerMiddleware{metrics.Middleware}, // as service.Run
		Normalize:  &Normalize{Chain: nc}, Identify: &Identify{Chain: ic},
		Resolve:     &Resolve{Resolver: &resolve.Resolver{Store: store, Engine: eng}},
		DeadLetters: &DeadLetters{Store: store, Observe: func(warehouse.DeadLetter) { stored <- struct{}{} }},
	})
	if err != nil {
		t.Fatal(err)
	}
	go router.Run(context.Background())
	<-router.Running()
	defer func() { router.Close(); bus.Close() }()
	if err := bus.Publish("contacts.raw", NewRawMessage([]byte(`{"source_id":"1"}`), "", "f:1")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stored:
	case <-time.After(10 * time.Second):
		t.Fatal("no dead letter stored")
	}
	time.Sleep(50 * time.Millisecond) // the middleware counts after the handler returns
	if got := counterValue(metrics.processed.WithLabelValues(DeadLetterHandler, "ok")); got != 1 {
		t.Errorf("processed{handler=dead_letters,result=ok} = %v, want 1 (the dead letter was stored)", got)
	}
	if got := counterValue(metrics.processed.WithLabelValues(DeadLetterHandler, "dead_lettered")); got != 0 {
		t.Errorf("processed{handler=dead_letters,result=dead_lettered} = %v, want 0", got)
	}
}

// TestBatchSizeBuckets: steward_resolve_batch_records's largest bucket is 64 while
// kafka.resolve_batch defaults to 128 (README: ~115 records a batch in the benchmark):
// every full batch lands in +Inf, the histogram cannot tell 65 from 128.
func TestBatchSizeBuckets(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.BatchSize.Observe(1)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "steward_resolve_batch_records" {
			continue
		}
		bs := mf.GetMetric()[0].GetHistogram().GetBucket()
		if top := bs[len(bs)-1].GetUpperBound(); top < 128 {
			t.Errorf("largest finite bucket %v < the default kafka.resolve_batch 128", top)
		}
	}
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	_ = c.Write(&m)
	return m.GetCounter().GetValue()
}
