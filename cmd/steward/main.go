// Command steward is the CRM data-quality pipeline: see README.md, or `steward help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"syscall"

	"github.com/steward-crm/steward/internal/gctune"
)

// command is one subcommand. run gets the arguments after the command name.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, env *env) error
}

// env is what commands share: the standard streams and the configuration sources.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// commands returns every subcommand. Families of commands live in their own files
// (commands_*.go) and are merged here.
func commands() map[string]command {
	cmds := baseCommands()
	for _, family := range []map[string]command{matchCommands(), streamCommands(), registryCommands()} {
		for name, c := range family {
			cmds[name] = c
		}
	}
	return cmds
}

func baseCommands() map[string]command {
	return map[string]command{
		"ingest":    {"read JSONL/CSV files (or stdin) through the pipeline into the warehouse", runIngest},
		"export":    {"write golden records as CSV or JSONL", runExport},
		"stats":     {"show warehouse counts, field statuses and issue codes", runStats},
		"gen":       {"generate synthetic contacts with ground truth", runGen},
		"normalize": {"print records normalized, with statuses and issue codes (no warehouse)", runNormalize},
		"migrate":   {"create or upgrade the warehouse schema", runMigrate},
		"review":    {"list the review queue (uncertain pairs, bridging records, company suggestions)", runReview},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal asks the command to stop cleanly; from then on the default handling
	// is back, so a second one ends the process at once.
	go func() {
		<-ctx.Done()
		stop()
	}()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if err := gcFloor(e.getenv); err != nil {
		fmt.Fprintf(e.stderr, "steward: %v\n", err)
		os.Exit(2)
	}
	os.Exit(run(ctx, os.Args[1:], e))
}

// gcFloor keeps the collector's heap goal at STEWARD_GC_FLOOR MiB at least (default 256,
// 0: off; see internal/gctune), unless GOGC is set: the user's GOGC is left as it is.
func gcFloor(getenv func(string) string) error {
	if getenv("GOGC") != "" {
		return nil
	}
	floor := uint64(gctune.DefaultFloor)
	if v := getenv("STEWARD_GC_FLOOR"); v != "" {
		mib, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return fmt.Errorf("STEWARD_GC_FLOOR=%q: want a whole number of MiB (0: off)", v)
		}
		floor = mib << 20
	}
	gctune.Floor(floor)
	return nil
}

// run dispatches a command line and returns the exit code: 0 ok, 1 failure, 2 usage.
func run(ctx context.Context, args []string, e *env) int {
	cmds := commands()
	if len(args) == 0 {
		usage(e.stderr, cmds) // no command: bad usage, as an unknown one
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout, cmds)
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "steward: unknown command %q\n\n", args[0])
		usage(e.stderr, cmds)
		return 2
	}
	if err := c.run(ctx, args[1:], e); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			if _, shown := ue.error.(flagError); !shown {
				fmt.Fprintf(e.stderr, "steward %s: %v\n", args[0], err)
			}
			return 2
		}
		fmt.Fprintf(e.stderr, "steward %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

type usageError struct{ error }

// flagError is a bad flag, which the flag package has reported already with the usage.
type flagError struct{ error }

// parseFlags parses a command's flags (interleaved with its arguments): a bad flag is a
// usage error, exit 2, printed once.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(interleaved(fs, args))
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return usageError{flagError{err}}
	}
	return err
}

// parseFlagsNoArgs is parseFlags for a command that takes no FILE: a stray argument
// (`steward export golden.csv` meant as `-o golden.csv`) is a usage error, exit 2,
// rather than ignored.
func parseFlagsNoArgs(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q: %s takes no FILE (see -h)", fs.Arg(0), fs.Name())}
	}
	return nil
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "steward: CRM data quality — normalize, deduplicate, enrich contact records.")
	fmt.Fprintln(w, "\nUsage: steward <command> [flags] [args]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun `steward <command> -h` for a command's flags. Configuration: steward.yaml, STEWARD_* variables (README.md).")
}
