package main

import (
	"fmt"
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
		go profileCPU(file)
	}
	if file := os.Getenv(traceEnv); file != "" {
		go traceServe(file)
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

func profileCPU(file string) {
	time.Sleep(15 * time.Second)
	f, err := os.Create(file)
	if err != nil {
		return
	}
	defer f.Close()
	if pprof.StartCPUProfile(f) != nil {
		return
	}
	time.Sleep(45 * time.Second)
	pprof.StopCPUProfile()
}

func traceServe(file string) {
	time.Sleep(30 * time.Second)
	f, err := os.Create(file)
	if err != nil {
		return
	}
	defer f.Close()
	if trace.Start(f) != nil {
		return
	}
	time.Sleep(20 * time.Second)
	trace.Stop()
}
