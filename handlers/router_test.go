package handlers

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/resolve"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlite"
)

// flaky fails with an infrastructure error the first n times it sees a given family name,
// and panics on "Panic".
type flaky struct {
	mu    sync.Mutex
	fails map[string]int
}

func (f *flaky) Name() string { return "test.flaky" }

func (f *flaky) Process(_ context.Context, r *contact.Record) error {
	if r.FamilyName == "Panic" {
		panic("boom\nstack trace line 1\nstack trace line 2")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails[r.FamilyName] > 0 {
		f.fails[r.FamilyName]--
		return errors.New("database is down")
	}
	return nil
}

type harness struct {
	bus     *gochannel.GoChannel
	store   warehouse.Store
	gaveUp  atomic.Int64
	results chan string
}

func start(t *testing.T, extra pipeline.Stage) *harness {
	t.Helper()
	r := rules.Default()
	nc, ic, err := stages.Chains(r)
	if err != nil {
		t.Fatal(err)
	}
	nc = append(nc, extra)
	eng, _ := match.New(r)
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := &harness{bus: gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, nil), store: store, results: make(chan string, 100)}
	router, err := NewRouter(Config{
		Subscriber: h.bus, Publisher: h.bus,
		Normalize: &Normalize{Chain: nc}, Identify: &Identify{Chain: ic},
		Resolve:     &Resolve{Resolver: &resolve.Resolver{Store: store, Engine: eng}, Observe: func(k string, o resolve.Outcome) { h.results <- k + " " + string(o.Action) }},
		DeadLetters: &DeadLetters{Store: store, Observe: func(d warehouse.DeadLetter) { h.results <- "dead " + d.Position }},
		Retry:       RetryConfig{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond},
		OnGiveUp:    func(*message.Message, error) { h.gaveUp.Add(1); h.results <- "gave up" },
	})
	if err != nil {
		t.Fatal(err)
	}
	go router.Run(context.Background())
	<-router.Running()
	t.Cleanup(func() { router.Close(); h.bus.Close() })
	return h
}

func (h *harness) publish(t *testing.T, pos, payload string) string {
	t.Helper()
	if err := h.bus.Publish("contacts.raw", NewRawMessage([]byte(payload), "", pos)); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-h.results:
		return r
	case <-time.After(10 * time.Second):
		t.Fatalf("no outcome for %s", pos)
		return ""
	}
}

func TestRetriesThenSucceeds(t *testing.T) {
	h := start(t, &flaky{fails: map[string]int{"Martin": 2}})
	got := h.publish(t, "f:1", `{"source":"w","source_id":"1","given_name":"Élodie","family_name":"Martin"}`)
	if got != "w:1 new_master" || h.gaveUp.Load() != 0 {
		t.Errorf("outcome %q, gave up %d", got, h.gaveUp.Load())
	}
}

func TestGivesUpAfterRetries(t *testing.T) {
	h := start(t, &flaky{fails: map[string]int{"Martin": 10}})
	if got := h.publish(t, "f:1", `{"source":"w","source_id":"1","given_name":"Élodie","family_name":"Martin"}`); got != "gave up" {
		t.Errorf("outcome %q", got)
	}
	dls, _ := h.store.DeadLetters(context.Background(), 10)
	if len(dls) != 0 {
		t.Errorf("an infrastructure error was dead-lettered: %+v", dls)
	}
}

func TestPanicIsDeadLettered(t *testing.T) {
	h := start(t, &flaky{})
	if got := h.publish(t, "f:7", `{"source":"w","source_id":"1","given_name":"Élodie","family_name":"Panic"}`); got != "dead f:7" {
		t.Fatalf("outcome %q", got)
	}
	dls, _ := h.store.DeadLetters(context.Background(), 10)
	if len(dls) != 1 || !strings.Contains(dls[0].Reason, "panic: boom") || !strings.Contains(dls[0].Reason, "(at router_test.go:") || strings.Contains(dls[0].Reason, "stack trace") {
		t.Errorf("dead letter %+v", dls)
	}
	// The stage that panicked is named (it was "panic" alone).
	if len(dls) == 1 && !strings.HasSuffix(dls[0].Stage, "/test.flaky") {
		t.Errorf("dead letter stage %q, want the stage that panicked", dls[0].Stage)
	}
	// The next record goes through: a panic does not stall the pipeline.
	if got := h.publish(t, "f:8", `{"source":"w","source_id":"2","given_name":"Paul","family_name":"Durand"}`); got != "w:2 new_master" {
		t.Errorf("after a panic: %q", got)
	}
}

// TestRouterLeavesThePublisherOpen: in the separate layout, stopping the router does not
// close the handlers' publisher (Watermill closes a handler's as soon as its own
// subscription ends, while the other handlers' messages in flight, and the dead-letter
// middleware's, still publish through it): its owner closes it after the router.
func TestRouterLeavesThePublisherOpen(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r := rules.Default()
	nc, ic, err := stages.Chains(r)
	if err != nil {
		t.Fatal(err)
	}
	eng, _ := match.New(r)
	sub := gochannel.NewGoChannel(gochannel.Config{}, nil)
	pub := gochannel.NewGoChannel(gochannel.Config{}, nil)
	defer pub.Close()
	router, err := NewRouter(Config{
		Subscriber: sub, Publisher: pub,
		Normalize: &Normalize{Chain: nc}, Identify: &Identify{Chain: ic},
		Resolve: &Resolve{Resolver: &resolve.Resolver{Store: store, Engine: eng}},
	})
	if err != nil {
		t.Fatal(err)
	}
	go router.Run(context.Background())
	<-router.Running()
	if err := router.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish("contacts.clean", message.NewMessage("1", []byte("{}"))); err != nil {
		t.Errorf("the handlers' publisher after the router stopped: %v", err)
	}
}
