package main

import (
	"strings"
	"testing"

	"github.com/steward-crm/steward/service"
)

// TestBrokerListSpaces: "-brokers a:9092, b:9092" (or the same in
// STEWARD_KAFKA_BROKERS) keeps " b:9092" with its space: service.Validate accepts it
// (it only looks for a ':'), and the client later dials host " b".
func TestBrokerListSpaces(t *testing.T) {
	e := &env{getenv: func(k string) string {
		if k == "STEWARD_KAFKA_BROKERS" {
			return "k1:9092, k2:9092"
		}
		return ""
	}}
	var cfg service.Config
	var kf kafkaFlags
	kf.apply(&cfg, e)
	s, err := service.Build(cfg)
	if err != nil {
		return // rejected with an error: fine
	}
	for _, b := range s.Config.Kafka.Brokers {
		if b != "k1:9092" && b != "k2:9092" {
			t.Errorf("broker %q accepted (brokers %q)", b, s.Config.Kafka.Brokers)
		}
	}
}

// TestProduceBadBatch: produce -batch -1 is silently read as 500 (service.Produce
// replaces batch <= 0), where every other command's bad number is a usage error naming
// the flag (TestCLIDefaultsAndBadValues).
func TestProduceBadBatch(t *testing.T) {
	code, _, errs := steward(t, "", "produce", "-batch", "-1", "-brokers", "127.0.0.1:1", "x.jsonl")
	if code != 2 || !strings.Contains(errs, "-batch") {
		t.Errorf("produce -batch -1: exit %d, stderr %q (want 2 naming -batch)", code, errs)
	}
}
