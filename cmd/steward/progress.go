package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/steward-crm/steward/service"
	"golang.org/x/term"
)

// progress reports ingest progress: a bar on a terminal, plain periodic lines otherwise.
type progress struct {
	w       io.Writer
	tty     bool
	bar     *progressbar.ProgressBar
	file    string
	lastLog time.Time
	every   time.Duration
	// cmd names the command in the plain lines; describe words the counts (nil: ingest's
	// records read, resolved and dead-lettered).
	cmd      string
	describe func(service.IngestSummary) string
}

func newProgress(w io.Writer, quiet bool) *progress {
	if quiet {
		return nil
	}
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, tty: tty, every: 5 * time.Second, cmd: "ingest"}
}

func (p *progress) report(pr service.Progress) {
	if p == nil {
		return
	}
	s := pr.Summary
	// Records are written behind the reading: at 100 % of the bytes read, the last
	// batches are still being resolved, which the summary after the bar counts.
	desc := fmt.Sprintf("%d read, %d resolved so far, %d dead-lettered", s.Read, s.Accepted, s.DeadLettered)
	if p.describe != nil {
		desc = p.describe(s)
	}
	if !p.tty {
		// Every p.every, and at the end of a file of known size (stdin's is not known:
		// every read would print).
		if time.Since(p.lastLog) < p.every && (pr.BytesTotal == 0 || pr.BytesRead < pr.BytesTotal) {
			return
		}
		p.lastLog = time.Now()
		pct := ""
		if pr.BytesTotal > 0 {
			pct = fmt.Sprintf(" (%.0f%%)", 100*float64(pr.BytesRead)/float64(pr.BytesTotal))
		}
		fmt.Fprintf(p.w, "%s %s%s: %s\n", p.cmd, pr.File, pct, desc)
		return
	}
	if p.bar == nil || p.file != pr.File {
		p.finish()
		total := pr.BytesTotal
		if total == 0 {
			total = -1
		}
		p.file = pr.File
		p.bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(p.w), progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription(pr.File), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish())
	}
	p.bar.Describe(pr.File + ": " + desc)
	_ = p.bar.Set64(pr.BytesRead)
}

func (p *progress) finish() {
	if p != nil && p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}
