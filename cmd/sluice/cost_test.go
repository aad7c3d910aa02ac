package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/internal/costreport"
)

const benchYAML = "../../configs/bench.yaml"

// TestCostBench checks the reference figures of the bench fleet: 5.56,
// 3.47, 1.67 and 4.17 $ per million inferences at full batches and full
// utilization, in both ways of naming the file and with flags on either
// side of it.
func TestCostBench(t *testing.T) {
	want := [][]string{
		{"pool", "kind", "$/h", "slo", "batch", "inf/s", "per", "replica", "$/M", "@100%", "$/M", "@70%"},
		{"cpu-small", "on-demand", "0.10", "500ms", "1", "5.0", "5.56", "7.94"},
		{"cpu-large", "on-demand", "0.50", "500ms", "8", "40.0", "3.47", "4.96"},
		{"gpu-spot", "spot", "1.20", "500ms", "32", "200.0", "1.67", "2.38"},
		{"gpu-ondemand", "on-demand", "3.00", "500ms", "32", "200.0", "4.17", "5.95"},
	}
	for _, args := range [][]string{
		{benchYAML},
		{"--config", benchYAML},
		{"--config=" + benchYAML, "--slo", "0s"},
		{benchYAML, "--json=false"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout := runCost(t, args, 0)
			if diff := cmp.Diff(want, fields(stdout)); diff != "" {
				t.Errorf("table (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCostSLOFlag gives every pool a 200 ms SLO, so that batches must take
// at most 100 ms: cpu-small cannot serve at all, the others run smaller
// batches at a higher cost.
func TestCostSLOFlag(t *testing.T) {
	want := [][]string{
		{"cpu-small", "on-demand", "0.10", "200ms", "-", "-", "-", "-"},
		{"cpu-large", "on-demand", "0.50", "200ms", "3", "30.0", "4.63", "6.61"},
		{"gpu-spot", "spot", "1.20", "200ms", "17", "170.0", "1.96", "2.80"},
		{"gpu-ondemand", "on-demand", "3.00", "200ms", "17", "170.0", "4.90", "7.00"},
	}
	got := fields(runCost(t, []string{"--slo", "200ms", benchYAML}, 0))
	if diff := cmp.Diff(want, got[1:]); diff != "" {
		t.Errorf("table rows (-want +got):\n%s", diff)
	}
}

func TestCostJSON(t *testing.T) {
	stdout := runCost(t, []string{benchYAML, "--json", "--slo", "200ms"}, 0)
	var got []costreport.JSONRow
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output is not a JSON list: %v\n%s", err, stdout)
	}
	for i := range got { // compare costs to the cent
		got[i].CostPerMillionFull, got[i].CostPerMillion70 = rounded(got[i].CostPerMillionFull), rounded(got[i].CostPerMillion70)
		got[i].ThroughputPerReplica = *rounded(&got[i].ThroughputPerReplica)
	}
	row := func(pool, kind string, price float64, batch int, thr float64, full, typical *float64, base, perItem time.Duration) costreport.JSONRow {
		return costreport.JSONRow{Pool: pool, Kind: kind, Curve: "configured", PricePerHour: price, SLO: "200ms", SLOSeconds: 0.2,
			Batch: batch, ThroughputPerReplica: thr, CostPerMillionFull: full, CostPerMillion70: typical, Base: &base, PerItem: &perItem}
	}
	ms := time.Millisecond
	want := []costreport.JSONRow{
		row("cpu-small", "on-demand", 0.10, 0, 0, nil, nil, 200*ms, 0),
		row("cpu-large", "on-demand", 0.50, 3, 30, ptr(4.63), ptr(6.61), 40*ms, 20*ms),
		row("gpu-spot", "spot", 1.20, 17, 170, ptr(1.96), ptr(2.80), 32*ms, 4*ms),
		row("gpu-ondemand", "on-demand", 3.00, 17, 170, ptr(4.90), ptr(7.00), 32*ms, 4*ms),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
}

// TestCostAdmin prices the pools a gateway's admin API describes, each
// with its configured curve and with the one measured: py has none
// configured, and serves batches of 8 within its 500 ms SLO with the
// curve measured (30 ms + 5 ms per item: 70 ms a batch, 114.3 inf/s).
func TestCostAdmin(t *testing.T) {
	body := `[{"name": "py", "price_per_hour": 0.1, "spot": false, "max_batch": 8, "slo": 500000000,
	  "curve": {"configured": {"base": 0, "per_item": 0}, "learned": {"base": 30000000, "per_item": 5000000}},
	  "ready": 2, "queue": {}}]`
	admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/admin/pools" || r.Header.Get("Authorization") != "" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	defer admin.Close()
	t.Setenv(adminTokenEnv, "")
	want := [][]string{
		{"pool", "kind", "curve", "base", "per", "item", "$/h", "slo", "batch", "inf/s", "per", "replica", "$/M", "@100%", "$/M", "@70%"},
		{"py", "on-demand", "configured", "-", "-", "0.10", "500ms", "-", "-", "-", "-"},
		{"py", "on-demand", "learned", "30ms", "5ms", "0.10", "500ms", "8", "114.3", "0.24", "0.35"},
	}
	if diff := cmp.Diff(want, fields(runCost(t, []string{"--admin", admin.URL}, 0))); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

func TestCostUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr []string
	}{
		{"no file", nil, 2, []string{"no configuration file given", "Usage: sluice cost"}},
		{"two files", []string{benchYAML, benchYAML}, 2, []string{"give one configuration file"}},
		{"flag and positional", []string{"--config", benchYAML, benchYAML}, 2, []string{"give one configuration file"}},
		{"negative SLO", []string{"--slo", "-1s", benchYAML}, 2, []string{"--slo -1s must be >= 0"}},
		{"unknown flag", []string{"--utilization", "0.5", benchYAML}, 2, []string{"flag provided but not defined"}},
		{"file and admin", []string{"--admin", "127.0.0.1:9", benchYAML}, 2, []string{"give a configuration file or --admin, not both"}},
		{"no admin listener", []string{"--admin", "127.0.0.1:1"}, 1, []string{"admin listener unreachable"}},
		{"help", []string{"--help"}, 0, []string{"Usage: sluice cost", "3600 × inferences/s × utilization"}},
		{"missing file", []string{"absent.yaml"}, 1, []string{"configs: open absent.yaml: "}},
		{"invalid file", []string{"../../configs/testdata/negative-price.bad.yaml"}, 1, []string{"pools[1].price_per_hour: -0.5 must be >= 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := costMain(tt.args, &stdout, &stderr); code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			checkContains(t, "stdout", stdout.String(), nil)
			checkContains(t, "stderr", stderr.String(), tt.wantStderr)
		})
	}
}

func TestCostIsRegistered(t *testing.T) {
	cmd, ok := commands["cost"]
	if !ok || cmd.summary == "" || cmd.run == nil {
		t.Fatalf("commands[%q] = %+v, want a registered command", "cost", cmd)
	}
}

// runCost runs the cost command, checks its exit code and that it wrote
// nothing to stderr, and returns its stdout.
func runCost(t *testing.T, args []string, wantCode int) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := costMain(args, &stdout, &stderr); code != wantCode {
		t.Fatalf("costMain(%q) = %d, want %d; stderr:\n%s", args, code, wantCode, stderr.String())
	}
	checkContains(t, "stderr", stderr.String(), nil)
	return stdout.String()
}

// fields splits a table into lines of whitespace-separated fields.
func fields(table string) [][]string {
	var rows [][]string
	for line := range strings.Lines(table) {
		rows = append(rows, strings.Fields(line))
	}
	return rows
}

func ptr(x float64) *float64 { return &x }

// rounded returns *x rounded to the cent, or nil for nil.
func rounded(x *float64) *float64 {
	if x == nil {
		return nil
	}
	return ptr(float64(int64(*x*100+0.5)) / 100)
}
