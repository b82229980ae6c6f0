package main

import (
	"io"
	"log/slog"
)

// newLogger logs warnings and errors (debug with -v) as text on w. Records are never
// logged whole: only keys and positions.
func newLogger(w io.Writer, verbose bool) *slog.Logger {
	lvl := slog.LevelWarn
	if verbose {
		lvl = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl}))
}
