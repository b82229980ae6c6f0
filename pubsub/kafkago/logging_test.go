package kafkago

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill"
)

// traceCounter counts Trace and Info calls.
type traceCounter struct {
	watermill.NopLogger
	traces, infos int
}

func (c *traceCounter) Trace(string, watermill.LogFields) { c.traces++ }
func (c *traceCounter) Info(string, watermill.LogFields)  { c.infos++ }

// quietCounter is a traceCounter that says it drops trace logs.
type quietCounter struct{ *traceCounter }

func (q quietCounter) TraceEnabled() bool { return false }

// TestKafkaLoggersSkipDroppedTrace: kafka-go's progress lines reach Trace unless the
// logger says it drops trace logs; its problems always reach Info.
func TestKafkaLoggersSkipDroppedTrace(t *testing.T) {
	plain := &traceCounter{}
	progress, problems := kafkaLoggers(plain)
	progress.Printf("fetching %d", 1)
	problems.Printf("failed %d", 2)
	if plain.traces != 1 || plain.infos != 1 {
		t.Errorf("plain logger: %d traces, %d infos, want 1 and 1", plain.traces, plain.infos)
	}
	quiet := quietCounter{&traceCounter{}}
	progress, problems = kafkaLoggers(quiet)
	progress.Printf("fetching %d", 1)
	problems.Printf("failed %d", 2)
	if quiet.traces != 0 || quiet.infos != 1 {
		t.Errorf("logger dropping traces: %d traces, %d infos, want 0 and 1", quiet.traces, quiet.infos)
	}
}
