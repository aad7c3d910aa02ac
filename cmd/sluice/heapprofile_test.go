package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"time"
)

// Profiles of a `serve` started by a test, for `go tool pprof` when a
// soak's memory or latency is to be explained: heapProfileEnv names a
// file prefix, and serve writes its heap profile to PREFIX-N.pb.gz every
// 10 s; cpuProfileEnv names a file, and serve writes to it the CPU
// profile of 45 s after its first 15; traceEnv names a file, and serve
// writes to it an execution trace (`go tool trace`) of 20 s after its
// first 30.
const (
	heapProfileEnv = "SLUICE_TEST_HEAP_PROFILE"
	cpuProfileEnv  = "SLUICE_TEST_CPU_PROFILE"
	traceEnv       = "SLUICE_TEST_TRACE"
)

// profileServe starts writing the profiles asked for when args run
// serve.
func profileServe(args []string) {
	if len(args) == 0 || args[0] != "serve" {
		return
	}
	if prefix := os.Getenv(heapProfileEnv); prefix != "" {
		go profileHeap(prefix)
	}
	if file := os.Getenv(cpuProfileEnv); file != "" {
		go record(file, 15*time.Second, 45*time.Second, pprof.StartCPUProfile, pprof.StopCPUProfile)
	}
	if file := os.Getenv(traceEnv); file != "" {
		go record(file, 30*time.Second, 20*time.Second, trace.Start, trace.Stop)
	}
}

func profileHeap(prefix string) {
	for n := 0; ; n++ {
		time.Sleep(10 * time.Second)
		f, err := os.Create(fmt.Sprintf("%s-%d.pb.gz", prefix, n))
		if err != nil {
			return
		}
		_ = pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
}

// record waits wait, then has start write to a new file for span, then
// calls stop: a CPU profile or an execution trace of part of a run.
func record(file string, wait, span time.Duration, start func(io.Writer) error, stop func()) {
	time.Sleep(wait)
	f, err := os.Create(file)
	if err != nil {
		return
	}
	defer f.Close()
	if start(f) != nil {
		return
	}
	time.Sleep(span)
	stop()
}
