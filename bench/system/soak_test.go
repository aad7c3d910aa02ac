package system

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/bench/load"
)

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name   string
		status string
		want   int64
	}{
		{"linux", "Name:\tsluice\nVmPeak:\t  9000 kB\nVmRSS:\t   1234 kB\nThreads:\t7\n", 1234 << 10},
		{"missing", "Name:\tsluice\n", -1},
		{"other unit", "VmRSS:\t 12 MB\n", -1},
		{"not a number", "VmRSS:\t lots kB\n", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseVmRSS([]byte(tt.status)); got != tt.want {
				t.Errorf("parseVmRSS = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestSoakMeterCutsWindows(t *testing.T) {
	m := newSoakMeter()
	for i := range 100 {
		m.record(load.Outcome{Latency: time.Duration(i+1) * time.Millisecond})
	}
	m.record(load.Outcome{Err: errors.New("refused")})
	first := m.cut(10*time.Second, soakMemory{rss: 3 << 20, heapInuse: 2 << 20}, 42)
	second := m.cut(20*time.Second, soakMemory{rss: -1, heapInuse: 1}, 40)
	want := []SoakSample{
		{At: 10 * time.Second, AtS: 10, RSSBytes: 3 << 20, HeapInuseBytes: 2 << 20, Goroutines: 42, Served: 100, Failed: 1, P99: first.P99, P99MS: first.P99MS},
		{At: 20 * time.Second, AtS: 20, RSSBytes: -1, HeapInuseBytes: 1, Goroutines: 40},
	}
	if diff := cmp.Diff(want, []SoakSample{first, second}); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	if first.P99 < 98*time.Millisecond || first.P99 > 100*time.Millisecond {
		t.Errorf("p99 of 1..100 ms = %v, want about 99 ms", first.P99)
	}
}

func TestJudgeSoak(t *testing.T) {
	const mb = 1 << 20
	sample := func(rss, heap int64, goroutines int, p99 time.Duration) SoakSample {
		return SoakSample{RSSBytes: rss * mb, HeapInuseBytes: heap * mb, Goroutines: goroutines, Served: 100, P99: p99}
	}
	start := sample(100, 40, 200, 5*time.Millisecond)
	tol := SoakTolerance{Growth: 0.25, P99Growth: 1, MemoryFloor: 16 * mb, GoroutineFloor: 25, P99Floor: 10 * time.Millisecond}
	tests := []struct {
		name    string
		samples []SoakSample
		want    []string // problems, by their leading words
	}{
		{"unchanged", []SoakSample{start, start}, nil},
		{"within growth and floors", []SoakSample{start, sample(141, 66, 275, 20*time.Millisecond)}, nil},
		{"smaller", []SoakSample{start, sample(50, 10, 100, time.Millisecond)}, nil},
		{"rss leak", []SoakSample{start, start, sample(142, 40, 200, 5*time.Millisecond)}, []string{"RSS grew"}},
		{"heap leak", []SoakSample{start, sample(100, 67, 200, 5*time.Millisecond)}, []string{"heap in use grew"}},
		{"goroutine leak", []SoakSample{start, sample(100, 40, 276, 5*time.Millisecond)}, []string{"goroutines grew"}},
		{"p99 tripled", []SoakSample{start, sample(100, 40, 200, 21*time.Millisecond)}, []string{"p99 grew"}},
		{"rss unknown", []SoakSample{sample(-1, 40, 200, 0), sample(-1, 40, 200, 0)}, nil},
		{"one sample", []SoakSample{start}, []string{"1 samples"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judgeSoak(tt.samples, tol)
			var got []string
			for _, p := range v.Problems {
				for _, w := range tt.want {
					if strings.HasPrefix(p, w) {
						got = append(got, w)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || len(v.Problems) != len(tt.want) {
				t.Errorf("problems %q (-want +got):\n%s", v.Problems, diff)
			}
			if v.Flat != (len(tt.want) == 0) {
				t.Errorf("flat = %v with problems %q", v.Flat, v.Problems)
			}
		})
	}
}
