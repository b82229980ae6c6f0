package kafkago

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/segmentio/kafka-go"
)

// kafkaLoggers bridges kafka-go's loggers to logger. kafka-go's chatty progress
// log goes to Trace. Its error log goes to Info, not Error: kafka-go retries
// those conditions itself (rebalances, leader moves, reconnects), and the
// failures that do reach this package are logged at Error where they surface.
// kafka-go never logs message keys or values.
//
// For a logger that says it drops trace logs (a TraceEnabled method returning false) the
// progress logger discards its lines unformatted.
func kafkaLoggers(logger watermill.LoggerAdapter) (progress, problems kafka.Logger) {
	fields := watermill.LogFields{"component": "kafka-go"}
	if t, ok := logger.(interface{ TraceEnabled() bool }); ok && !t.TraceEnabled() {
		progress = kafka.LoggerFunc(func(string, ...any) {})
	} else {
		progress = kafka.LoggerFunc(func(format string, args ...any) {
			logger.Trace(fmt.Sprintf(format, args...), fields)
		})
	}
	problems = kafka.LoggerFunc(func(format string, args ...any) {
		logger.Info("kafka-go: "+fmt.Sprintf(format, args...), fields)
	})
	return progress, problems
}

func orNop(logger watermill.LoggerAdapter) watermill.LoggerAdapter {
	if logger == nil {
		return watermill.NopLogger{}
	}
	return logger
}
