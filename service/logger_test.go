package service

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
)

// TestWatermillLoggerLevels: Watermill's info logs are written at debug, and what the
// handler's level discards is dropped (before its fields are formatted, which the output
// cannot show: gatedLogger's point) while errors always pass; TraceEnabled follows the
// handler's level.
func TestWatermillLoggerLevels(t *testing.T) {
	for _, tc := range []struct {
		level              slog.Level
		info, debug, trace bool
	}{
		{slog.LevelInfo, false, false, false},
		{slog.LevelDebug, true, true, false},
		{watermill.LevelTrace, true, true, true},
	} {
		var buf bytes.Buffer
		s := &Service{Config: Config{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tc.level}))}}
		l := s.watermillLogger().With(watermill.LogFields{"component": "test"})
		l.Error("an error", nil, watermill.LogFields{"n": 1})
		l.Info("an info", watermill.LogFields{"n": 2})
		l.Debug("a debug", watermill.LogFields{"n": 3})
		l.Trace("a trace", watermill.LogFields{"n": 4})
		out := buf.String()
		for msg, want := range map[string]bool{"an error": true, "an info": tc.info, "a debug": tc.debug, "a trace": tc.trace} {
			if got := strings.Contains(out, msg); got != want {
				t.Errorf("level %v: %q logged = %v, want %v:\n%s", tc.level, msg, got, want, out)
			}
		}
		if tc.info && !strings.Contains(out, `level=DEBUG msg="an info"`) {
			t.Errorf("level %v: Watermill's info is not logged at debug:\n%s", tc.level, out)
		}
		if !strings.Contains(out, "component=test") {
			t.Errorf("level %v: With's fields are lost:\n%s", tc.level, out)
		}
		te, ok := l.(interface{ TraceEnabled() bool })
		if !ok || te.TraceEnabled() != tc.trace {
			t.Errorf("level %v: TraceEnabled = %v (implemented: %v), want %v", tc.level, ok && te.TraceEnabled(), ok, tc.trace)
		}
	}
}
