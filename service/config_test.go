package service

import (
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
