package main

import (
	"io"
	"os"
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

var benchSet = commandSet{path: "sluice bench", noun: "benchmark", heading: "Benchmarks", entries: benchmarks}

// benchDispatch runs the benchmark named by args[0]; see
// commandSet.dispatch.
func benchDispatch(args []string, stderr io.Writer) int { return benchSet.dispatch(args, stderr) }
