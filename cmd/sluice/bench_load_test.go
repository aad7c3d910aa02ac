package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/gateway"
)

func TestRejectReason(t *testing.T) {
	status := func(code int, body string) error { return &load.StatusError{Code: code, Body: []byte(body)} }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "tenant rate limit", err: status(429, `{"error":"gateway: rate limited: tenant \"a\"; retry in 5ms"}`), want: "rate_limit"},
		{name: "429 without a body", err: status(429, ""), want: "rate_limit"},
		{name: "queue full", err: status(429, `{"error":"batcher: queue full: class normal"}`), want: "queue_full"},
		{name: "shed", err: status(503, `{"error":"gateway: shedding load: low"}`), want: "shed"},
		{name: "a tier shed", err: status(503, `{"error":"router: tier is shedding load: tier \"light\" refuses low requests for now"}`), want: "shed"},
		{name: "queue timeout", err: status(503, `{"error":"batcher: queue timeout"}`), want: "queue_timeout"},
		{name: "no capacity", err: status(503, `{"error":"router: no pool can take the request: tier \"gpu\""}`), want: "no_capacity"},
		{name: "other 503", err: status(503, ""), want: "no_capacity"},
		{name: "gateway timeout", err: status(504, ""), want: "timeout"},
		{name: "bad gateway", err: status(502, ""), want: "backend"},
		{name: "internal error", err: status(500, ""), want: "backend"},
		{name: "client error", err: status(401, ""), want: "http_401"},
		{name: "no answer", err: errors.New("load: POST x: connection refused"), want: "connection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rejectReason(tt.err); got != tt.want {
				t.Errorf("rejectReason(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestLoadTally(t *testing.T) {
	light, heavy := load.Arrival{Class: load.Normal}, load.Arrival{Heavy: true, Class: load.High}
	lowLight := load.Arrival{Class: load.Low}
	tr := load.Traced{Arrivals: []load.Arrival{light, light, heavy, heavy, lowLight, lowLight, light}}
	tr.Offsets = make([]time.Duration, len(tr.Arrivals))
	outcomes := []load.Outcome{
		{Index: 0, Latency: 100 * time.Millisecond},                                       // light, within
		{Index: 1, Latency: 700 * time.Millisecond},                                       // light, late
		{Index: 2, Latency: 700 * time.Millisecond},                                       // heavy, within
		{Index: 3, Err: &load.StatusError{Code: 504}},                                     // timeout
		{Index: 4, Err: &load.StatusError{Code: 429}},                                     // rate limited
		{Index: 5, Err: context.DeadlineExceeded, TimedOut: true},                         // lost
		{Index: 6, Err: fmt.Errorf("load: %w", context.Canceled), Canceled: true, Lag: 0}, // lost
	}
	tally := newLoadTally(tr, [2]time.Duration{500 * time.Millisecond, time.Second})
	for _, o := range outcomes {
		tally.add(o)
	}
	got := tally.report("s", 3, 2, load.Span{Window: 5 * time.Second})
	want := loadReport{
		Scenario: "s", Policy: "measured", Seed: 3, DurationS: 10, Speedup: 2,
		Requests: 7, Served: 3, Lost: 2, Rejected: map[string]int64{"timeout": 1, "rate_limit": 1},
		SLOAttainment: sim.Attainment{All: 2.0 / 7, Light: 1.0 / 5, Heavy: 1.0 / 2, High: 1.0 / 2, Normal: 1.0 / 3, Low: 0},
	}
	opts := cmp.Options{cmpopts.EquateApprox(0, 1e-6), cmpopts.IgnoreFields(loadReport{}, "LatencyMS", "SendLagP99MS")}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	// Two of the three served took 700 ms; the histogram keeps three
	// significant digits.
	near := cmpopts.EquateApprox(0.001, 0)
	if !cmp.Equal(got.LatencyMS.P50, 700.0, near) || !cmp.Equal(got.LatencyMS.P99, 700.0, near) {
		t.Errorf("latency %+v, want p50 and p99 of 700 ms", got.LatencyMS)
	}
}

func TestLoadTallyOfNothing(t *testing.T) {
	got := newLoadTally(load.Traced{}, [2]time.Duration{time.Second, time.Second}).report("s", 1, 1, load.Span{})
	want := sim.Attainment{All: 1, Light: 1, Heavy: 1, High: 1, Normal: 1, Low: 1}
	if diff := cmp.Diff(want, got.SLOAttainment); diff != "" {
		t.Errorf("attainment over no request (-want +got):\n%s", diff)
	}
}

func TestFleetMeterCost(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	price := func(x float64) *float64 { return &x }
	type sample struct {
		at    time.Time
		pools []adminPool
	}
	tests := []struct {
		name    string
		prices  map[string]float64
		samples []sample
		want    float64
		known   bool
	}{
		{name: "no sample", known: false},
		{
			name: "prices from the admin API", known: true,
			samples: []sample{
				{at(0), []adminPool{{Name: "gpu", Ready: 2, PricePerHour: price(3.6)}}},
				{at(10), []adminPool{{Name: "gpu", Ready: 1, Starting: 2, PricePerHour: price(3.6)}}},
				{at(20), nil},
			},
			// 10 s at 7.2 $/h, 10 s at 10.8 $/h.
			want: 0.02 + 0.03,
		},
		{
			name: "prices from the configuration", known: true, prices: map[string]float64{"cpu": 0.36, "gpu": 3.6},
			samples: []sample{
				{at(0), []adminPool{{Name: "cpu", Ready: 10}, {Name: "gpu"}}},
				{at(100), nil},
			},
			want: 0.1,
		},
		{
			name: "an idle pool needs no price", known: true, prices: map[string]float64{"cpu": 0.36},
			samples: []sample{{at(0), []adminPool{{Name: "cpu", Ready: 1}, {Name: "gpu"}}}, {at(10), nil}},
			want:    0.001,
		},
		{
			name: "a busy pool without a price", known: false, prices: map[string]float64{"cpu": 0.36},
			samples: []sample{{at(0), []adminPool{{Name: "cpu", Ready: 1}, {Name: "gpu", Ready: 1}}}, {at(10), nil}},
			want:    0.001,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fleetMeter{prices: tt.prices}
			for _, s := range tt.samples {
				m.observe(s.at, s.pools)
			}
			usd, known := m.cost()
			if known != tt.known || (known && !cmp.Equal(usd, tt.want, cmpopts.EquateApprox(1e-9, 0))) {
				t.Errorf("cost() = %v, %v; want %v, %v", usd, known, tt.want, tt.known)
			}
		})
	}
}

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
	sched, err := load.TraceSchedule(loadSeconds(tr), load.TraceOptions{Speedup: speedup, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range sched.Arrivals {
		n[kindOf(a)][a.Class]++
	}
	return n, int64(len(sched.Arrivals))
}

// runLoad runs the load benchmark with args and decodes its JSON report.
func runLoad(t *testing.T, args ...string) loadReport {
	t.Helper()
	var stdout, stderr strings.Builder
	if code := benchLoadMain(append(args, "--json"), &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	var rep loadReport
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
	want := loadReport{
		Scenario: "tiny", Policy: "measured", Seed: 5, DurationS: 2, Speedup: 4,
		Requests: total, Served: light[load.High],
		Rejected: map[string]int64{"rate_limit": light[load.Normal], "shed": light[load.Low], "timeout": heavy},
		SLOAttainment: sim.Attainment{
			All: share(light[load.High], total), Light: share(light[load.High], total-heavy), Heavy: 0,
			High: share(light[load.High], light[load.High]+n[sim.Heavy][load.High]), Normal: 0, Low: 0,
		},
	}
	opts := cmp.Options{cmpopts.EquateApprox(0, 1e-6), cmpopts.IgnoreFields(loadReport{}, "LatencyMS", "SendLagP99MS")}
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
