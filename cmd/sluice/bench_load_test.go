package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/bench/system"
	"github.com/sluice-gateway/sluice/gateway"
)

func TestClassKeysFlag(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    classKeys
		wantErr string
	}{
		{name: "all three", in: "high=kh,normal=kn,low=kl", want: classKeys{"kh", "kn", "kl"}},
		{name: "a subset, any case", in: "LOW=kl", want: classKeys{"", "", "kl"}},
		{name: "unknown class", in: "urgent=k", wantErr: `class "urgent"`},
		{name: "no key", in: "high=", wantErr: "without a key"},
		{name: "twice", in: "high=a,high=b", wantErr: "twice"},
		{name: "malformed key", in: "high=a b", wantErr: "malformed API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got classKeys
			err := got.Set(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Set(%q) = %v, want an error containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if s := got.String(); strings.Contains(s, "kh") || strings.Contains(s, "kl") {
				t.Errorf("String() = %q shows a key", s)
			}
		})
	}
}

func TestBenchLoadFlags(t *testing.T) {
	trace := writeTrace(t, "second,rps,heavy_fraction\n0,10,0\n")
	tests := []struct {
		name string
		args []string
		want int
	}{
		{name: "help", args: []string{"-h"}, want: 0},
		{name: "no target", args: []string{"--trace", trace}, want: 2},
		{name: "no trace", args: []string{"--target", "http://127.0.0.1:1"}, want: 2},
		{name: "bad target", args: []string{"--target", "127.0.0.1:1", "--trace", trace}, want: 2},
		{name: "bad speedup", args: []string{"--target", "http://h", "--trace", trace, "--speedup", "0"}, want: 2},
		{name: "bad elements", args: []string{"--target", "http://h", "--trace", trace, "--heavy-elements", "0"}, want: 2},
		{name: "extra argument", args: []string{"--target", "http://h", "--trace", trace, "x"}, want: 2},
		{name: "missing trace file", args: []string{"--target", "http://h", "--trace", filepath.Join(t.TempDir(), "none.csv")}, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := benchLoadMain(tt.args, io.Discard, io.Discard); got != tt.want {
				t.Errorf("exit code %d, want %d", got, tt.want)
			}
		})
	}
}

func TestBenchLoadTraceErrorsNameTheirPlace(t *testing.T) {
	trace := writeTrace(t, "second,rps,heavy_fraction\n0,10,0\n1,ten,0\n")
	var stderr strings.Builder
	if code := benchLoadMain([]string{"--target", "http://127.0.0.1:1", "--trace", trace}, io.Discard, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if want := trace + ":3:3"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q does not name %s", stderr.String(), want)
	}
}

// writeTrace writes a trace file and returns its path.
func writeTrace(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.trace.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeGateway answers by kind and class, as a gateway under pressure
// might: light high requests are served, light normal ones rate limited,
// light low ones shed, heavy ones time out; with hang set, low requests
// are never answered.
func fakeGateway(hang bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		heavy := len(body) > 1000
		switch class := r.Header.Get(gateway.HeaderPriority); {
		case hang && class == "low":
			<-r.Context().Done()
		case heavy:
			http.Error(w, `{"error":"batcher: deadline exceeded"}`, http.StatusGatewayTimeout)
		case class == "high":
			_, _ = w.Write([]byte(`{"outputs":[]}`))
		case class == "normal":
			http.Error(w, `{"error":"gateway: rate limited"}`, http.StatusTooManyRequests)
		default:
			http.Error(w, `{"error":"gateway: shedding load"}`, http.StatusServiceUnavailable)
		}
	})
}

// census counts a traced schedule's requests by kind and class.
func census(t *testing.T, trace string, seed uint64, speedup float64) (n [2][load.NumClasses]int64, total int64) {
	t.Helper()
	tr, err := sim.LoadTrace(trace)
	if err != nil {
		t.Fatal(err)
	}
	secs := make([]load.Second, len(tr.Seconds))
	for i, s := range tr.Seconds {
		secs[i] = load.Second{RPS: s.RPS, HeavyFraction: s.HeavyFraction}
	}
	sched, err := load.TraceSchedule(secs, load.TraceOptions{Speedup: speedup, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range sched.Arrivals {
		kind := sim.Light
		if a.Heavy {
			kind = sim.Heavy
		}
		n[kind][a.Class]++
	}
	return n, int64(len(sched.Arrivals))
}

// runLoad runs the load benchmark with args and decodes its JSON report.
func runLoad(t *testing.T, args ...string) system.LoadReport {
	t.Helper()
	var stdout, stderr strings.Builder
	if code := benchLoadMain(append(args, "--json"), &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	var rep system.LoadReport
	if err := json.Unmarshal([]byte(stdout.String()), &rep); err != nil {
		t.Fatalf("report %q: %v", stdout.String(), err)
	}
	return rep
}

func TestBenchLoadAgainstAFakeGateway(t *testing.T) {
	srv := httptest.NewServer(fakeGateway(false))
	defer srv.Close()
	trace := writeTrace(t, "second,rps,heavy_fraction\n0,60,0.25\n1,60,0.25\n")
	// A generous SLO keeps a loaded test machine from missing it; the
	// tally's test checks the SLO's edge.
	got := runLoad(t, "--target", srv.URL, "--trace", trace, "--speedup", "4", "--seed", "5", "--light-slo", "1m")
	n, total := census(t, trace, 5, 4)
	light := n[sim.Light]
	heavy := n[sim.Heavy][load.High] + n[sim.Heavy][load.Normal] + n[sim.Heavy][load.Low]
	share := func(good, all int64) float64 { return float64(good) / float64(all) }
	want := system.LoadReport{
		Scenario: "tiny", Policy: "measured", Seed: 5, DurationS: 2, Speedup: 4,
		Requests: total, Served: light[load.High],
		Rejected: map[string]int64{"rate_limit": light[load.Normal], "shed": light[load.Low], "timeout": heavy},
		SLOAttainment: sim.Attainment{
			All: share(light[load.High], total), Light: share(light[load.High], total-heavy), Heavy: 0,
			High: share(light[load.High], light[load.High]+n[sim.Heavy][load.High]), Normal: 0, Low: 0,
		},
	}
	opts := cmp.Options{cmpopts.EquateApprox(0, 1e-6), cmpopts.IgnoreFields(system.LoadReport{}, "LatencyMS", "SendLagP99MS")}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if l := got.LatencyMS; !(l.P50 > 0 && l.P50 <= l.P95 && l.P95 <= l.P99) {
		t.Errorf("latency %+v, want 0 < p50 <= p95 <= p99", l)
	}
}

func TestBenchLoadCountsTheUnansweredAsLost(t *testing.T) {
	srv := httptest.NewServer(fakeGateway(true))
	defer srv.Close()
	trace := writeTrace(t, "second,rps,heavy_fraction\n0,80,0\n")
	got := runLoad(t, "--target", srv.URL, "--trace", trace, "--speedup", "4", "--grace", "200ms")
	n, _ := census(t, trace, 1, 4)
	if got.Lost != n[sim.Light][load.Low] || got.Rejected["shed"] != 0 {
		t.Errorf("lost %d, shed %d; want the %d low requests lost", got.Lost, got.Rejected["shed"], n[sim.Light][load.Low])
	}
}

func TestBenchLoadSendsKeysPerClass(t *testing.T) {
	seen := make(chan string, 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get("Authorization") + "|" + r.Header.Get(gateway.HeaderPriority)
	}))
	defer srv.Close()
	trace := writeTrace(t, "second,rps,heavy_fraction\n0,100,0\n")
	runLoad(t, "--target", srv.URL, "--trace", trace, "--speedup", "10", "--keys", "high=key-h,low=key-l")
	close(seen)
	got := map[string]bool{}
	for s := range seen {
		got[s] = true
	}
	want := map[string]bool{"Bearer key-h|": true, "|normal": true, "Bearer key-l|": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("credentials sent (-want +got):\n%s", diff)
	}
}

func TestBenchLoadCost(t *testing.T) {
	srv := httptest.NewServer(fakeGateway(false))
	defer srv.Close()
	tests := []struct {
		name  string
		pools string
		known bool
	}{
		{name: "priced pools", pools: `[{"name":"gpu","ready":2,"starting":0,"price_per_hour":3.6}]`, known: true},
		{name: "unpriced pools", pools: `[{"name":"gpu","ready":2,"starting":0}]`, known: false},
	}
	trace := writeTrace(t, "second,rps,heavy_fraction\n0,40,0\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/admin/pools" {
					http.NotFound(w, r)
					return
				}
				_, _ = w.Write([]byte(tt.pools))
			}))
			defer admin.Close()
			got := runLoad(t, "--target", srv.URL, "--trace", trace, "--speedup", "4", "--admin", admin.URL)
			if (got.CostUSD != nil) != tt.known || (got.CostPerMillionUSD != nil) != (tt.known && got.Served > 0) {
				t.Fatalf("cost %v, per million %v; want known = %v", got.CostUSD, got.CostPerMillionUSD, tt.known)
			}
			// Two replicas at 3.6 $/h cost 0.002 $/s; the run lasts about
			// a quarter of a second.
			if tt.known && !(*got.CostUSD > 0 && *got.CostUSD < 0.01) {
				t.Errorf("cost %v $, want a few tenths of a thousandth", *got.CostUSD)
			}
		})
	}
}

func TestBenchLoadPrintsForPeople(t *testing.T) {
	srv := httptest.NewServer(fakeGateway(false))
	defer srv.Close()
	trace := writeTrace(t, "second,rps,heavy_fraction\n0,20,0.5\n")
	var stdout, stderr strings.Builder
	if code := benchLoadMain([]string{"--target", srv.URL, "--trace", trace, "--speedup", "4"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{"scenario", "tiny", "policy", "measured", "requests", "rejected", "cost", "unknown", "SLO attainment", "latency", "p99"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stdout.String())
		}
	}
}
