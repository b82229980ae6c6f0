package service

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKafkaConfigDefaultsAndValidation(t *testing.T) {
	var c Config
	c.setDefaults()
	if c.Kafka.Stages != StagesFused {
		t.Errorf("default kafka.stages = %q, want %q", c.Kafka.Stages, StagesFused)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}

	bad := Config{Database: "x.db", Kafka: KafkaConfig{
		Brokers: []string{"nohost"}, Stages: "pipelined", InFlight: -1, ResolveBatch: -2,
	}}
	bad.setDefaults()
	err := bad.Validate()
	if err == nil {
		t.Fatal("Validate accepted an invalid kafka section")
	}
	for _, want := range []string{`kafka.brokers: "nohost"`, `kafka.stages: "pipelined"`, "kafka.in_flight", "kafka.resolve_batch"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// TestBuildWarnsOfAmbiguousTables: a rules directory whose tables give one spelling to
// two canonical values loads (the first value in sorted order is kept) with a warning
// that names the table and the spelling.
func TestBuildWarnsOfAmbiguousTables(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../rules/default")); err != nil {
		t.Fatal(err)
	}
	extra := "civilities:\n  Dame: [dame, mme]\n"
	if err := os.WriteFile(filepath.Join(dir, "tables", "zz_local.yaml"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s, err := Build(Config{RulesDir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Rules.Tables.Civilities["mme"]; got != "Dame" {
		t.Errorf("mme reads as %q, want Dame (the first in sorted order)", got)
	}
	if !strings.Contains(logs.String(), "claimed twice") || !strings.Contains(logs.String(), `civilities: \"mme\"`) {
		t.Errorf("no warning naming civilities and mme in:\n%s", logs.String())
	}
	logs.Reset()
	if _, err := Build(Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}); err != nil {
		t.Fatal(err)
	}
	if logs.Len() > 0 {
		t.Errorf("the default rules warn:\n%s", logs.String())
	}
}
