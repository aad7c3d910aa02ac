package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

func init() {
	commands["bench"] = command{summary: "run a benchmark against emulated workers", run: runBench}
}

// benchmarks holds the benchmarks under `sluice bench`, filled by the init
// functions of the bench_*.go files, one file per benchmark.
var benchmarks = map[string]command{}

func runBench(args []string) int {
	return benchDispatch(args, os.Stderr)
}

// benchDispatch runs the benchmark named by args[0] with the rest of args
// and returns its exit code: 2 for a missing or unknown benchmark, 0 for
// help.
func benchDispatch(args []string, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		benchUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	b, ok := benchmarks[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "sluice bench: unknown benchmark %q\n\n", args[0])
		benchUsage(stderr)
		return 2
	}
	return b.run(args[1:])
}

func benchUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: sluice bench <benchmark> [flags]\n\nBenchmarks:")
	names := make([]string, 0, len(benchmarks))
	for name := range benchmarks {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, benchmarks[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'sluice bench <benchmark> --help' for a benchmark's flags.")
}
