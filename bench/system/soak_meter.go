package system

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
)

// SoakSample is what the soak benchmark measures at the end of one
// window of its run.
type SoakSample struct {
	// At is the end of the window, from the start of the load.
	At time.Duration `json:"-"`
	// AtS is At in seconds, for JSON.
	AtS float64 `json:"at_s"`
	// RSSBytes is the process's resident set size (VmRSS); -1 where the
	// system does not report it.
	RSSBytes int64 `json:"rss_bytes"`
	// HeapInuseBytes is runtime.MemStats.HeapInuse.
	HeapInuseBytes int64 `json:"heap_inuse_bytes"`
	// Goroutines is runtime.NumGoroutine, load generator included.
	Goroutines int `json:"goroutines"`
	// Served and Failed count the requests of the window that ended in
	// success or otherwise.
	Served int `json:"served"`
	Failed int `json:"failed"`
	// P99 is the 99th percentile latency of the window's successes; 0
	// when there were none.
	P99 time.Duration `json:"-"`
	// P99MS is P99 in milliseconds, for JSON.
	P99MS float64 `json:"p99_ms"`
}

// soakMemory is the process's memory at one moment.
type soakMemory struct {
	rss, heapInuse int64
}

// readSoakMemory reads the process's resident set size (-1 if unknown)
// and the Go heap in use.
func readSoakMemory() soakMemory {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return soakMemory{rss: readRSS(), heapInuse: int64(ms.HeapInuse)}
}

// readRSS returns VmRSS from /proc/self/status in bytes, or -1 where
// there is no such file (systems other than Linux).
func readRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	return parseVmRSS(data)
}

// parseVmRSS finds the line "VmRSS:   1234 kB" in a /proc status file and
// returns its value in bytes, or -1 when there is none.
func parseVmRSS(status []byte) int64 {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) != 2 || string(fields[1]) != "kB" {
			return -1
		}
		kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil {
			return -1
		}
		return kb << 10
	}
	return -1
}

// soakMeter sums up the requests of the current window. Safe for
// concurrent use.
type soakMeter struct {
	mu     sync.Mutex
	lat    *load.Latencies
	served int
	failed int
}

func newSoakMeter() *soakMeter { return &soakMeter{lat: load.NewLatencies()} }

// record counts one request's outcome in the current window.
func (m *soakMeter) record(o load.Outcome) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if o.Err != nil {
		m.failed++
		return
	}
	m.served++
	m.lat.Record(o.Latency)
}

// cut ends the current window at at, with the memory and goroutine
// counts measured then, and starts the next one.
func (m *soakMeter) cut(at time.Duration, mem soakMemory, goroutines int) SoakSample {
	m.mu.Lock()
	lat, served, failed := m.lat, m.served, m.failed
	m.lat, m.served, m.failed = load.NewLatencies(), 0, 0
	m.mu.Unlock()
	s := SoakSample{
		At: at, AtS: at.Seconds(), RSSBytes: mem.rss, HeapInuseBytes: mem.heapInuse,
		Goroutines: goroutines, Served: served, Failed: failed,
	}
	if served > 0 {
		s.P99 = lat.Quantile(0.99)
		s.P99MS = float64(s.P99) / float64(time.Millisecond)
	}
	return s
}

// SoakTolerance bounds how much the end of a soak may exceed its start
// and still be flat: a quantity passes when end <= start·(1+growth) +
// floor, with its own growth for p99. The floors keep small absolute
// changes, noise on a small process, from failing a run.
type SoakTolerance struct {
	// Growth is the relative growth allowed of RSS, heap and goroutines,
	// >= 0.
	Growth float64
	// P99Growth is the relative growth allowed of p99, >= 0.
	P99Growth float64
	// MemoryFloor is the growth of RSS and of the heap in use always
	// allowed, in bytes.
	MemoryFloor int64
	// GoroutineFloor is the growth in goroutines always allowed.
	GoroutineFloor int
	// P99Floor is the growth of p99 always allowed.
	P99Floor time.Duration
}

// DefaultSoakTolerance is the tolerance of `sluice bench soak` when its
// flags set nothing else.
var DefaultSoakTolerance = SoakTolerance{Growth: 0.25, P99Growth: 1, MemoryFloor: 16 << 20, GoroutineFloor: 25, P99Floor: 10 * time.Millisecond}

// SoakVerdict is the judgement of a soak run.
type SoakVerdict struct {
	Flat bool `json:"flat"`
	// Problems says what is not flat, one quantity each; empty when flat.
	Problems []string `json:"problems"`
}

// judgeSoak compares the last sample with the first. RSS is skipped
// where unknown; p99 is compared only when both windows served requests.
// Fewer than two samples cannot be judged: not flat.
func judgeSoak(samples []SoakSample, tol SoakTolerance) SoakVerdict {
	if len(samples) < 2 {
		return SoakVerdict{Problems: []string{fmt.Sprintf("%d samples: at least 2 are needed", len(samples))}}
	}
	start, end := samples[0], samples[len(samples)-1]
	var problems []string
	grew := func(what string, from, to, floor float64, unit string) {
		if to > from*(1+tol.Growth)+floor {
			problems = append(problems, fmt.Sprintf("%s grew from %.4g to %.4g%s", what, from, to, unit))
		}
	}
	const mib = 1 << 20
	if start.RSSBytes >= 0 && end.RSSBytes >= 0 {
		grew("RSS", float64(start.RSSBytes)/mib, float64(end.RSSBytes)/mib, float64(tol.MemoryFloor)/mib, " MiB")
	}
	grew("heap in use", float64(start.HeapInuseBytes)/mib, float64(end.HeapInuseBytes)/mib, float64(tol.MemoryFloor)/mib, " MiB")
	grew("goroutines", float64(start.Goroutines), float64(end.Goroutines), float64(tol.GoroutineFloor), "")
	allowed := time.Duration(float64(start.P99)*(1+tol.P99Growth)) + tol.P99Floor
	if start.Served > 0 && end.Served > 0 && end.P99 > allowed {
		problems = append(problems, fmt.Sprintf("p99 grew from %v to %v", start.P99, end.P99))
	}
	return SoakVerdict{Flat: len(problems) == 0, Problems: problems}
}
