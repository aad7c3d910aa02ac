package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

// benchExit turns a benchmark's flag parsing and run into its exit code: 0
// when done or for help, 2 on bad flags (already reported by the flag
// set), 1 when run fails, reported on stderr as "sluice bench NAME: ...".
func benchExit(name string, parseErr error, stderr io.Writer, run func() error) int {
	if errors.Is(parseErr, flag.ErrHelp) {
		return 0
	}
	if parseErr != nil {
		return 2
	}
	if err := run(); err != nil {
		fmt.Fprintf(stderr, "sluice bench %s: %v\n", name, err)
		return 1
	}
	return 0
}

// benchRuntime returns a context that SIGINT or SIGTERM ends, its cancel
// function, and a logger to stderr at quiet, or at debug when verbose.
func benchRuntime(stderr io.Writer, verbose bool, quiet slog.Level) (context.Context, context.CancelFunc, *slog.Logger) {
	level := quiet
	if verbose {
		level = slog.LevelDebug
	}
	log := slog.New(newLogHandler(stderr, logText, level))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ctx, stop, log
}

// parseFloats parses a comma-separated list of numbers, each in (0, most];
// what names one number in the error.
func parseFloats(s, what string, most float64) ([]float64, error) {
	var out []float64
	for part := range strings.SplitSeq(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || !(v > 0) || v > most {
			return nil, fmt.Errorf("%s %q is not a number in (0, %g]", what, part, most)
		}
		out = append(out, v)
	}
	return out, nil
}

// formatFloats writes numbers as parseFloats reads them.
func formatFloats(vs []float64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}
