package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	benchConfig = "../../configs/bench.yaml"
	tinyTrace   = "../../bench/sim/testdata/tiny.trace.csv"
	tinyEvents  = "../../bench/sim/testdata/tiny.events.csv"
)

func TestBenchSimMain(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.trace.csv")
	if err := os.WriteFile(bad, []byte("second,rps,heavy_fraction\n0,fast,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{name: "help", args: []string{"-h"}, wantCode: 0, wantErr: "Usage: sluice bench sim"},
		{name: "no trace", args: []string{"--config", benchConfig}, wantCode: 2, wantErr: "--trace is required"},
		{name: "malformed trace", args: []string{"--config", benchConfig, "--trace", bad}, wantCode: 1, wantErr: "bad.trace.csv:2:3: rps \"fast\""},
		{name: "unknown policy", args: []string{"--config", benchConfig, "--trace", tinyTrace, "--policy", "magic"}, wantCode: 1, wantErr: `"magic"`},
		{name: "text report", args: []string{"--config", benchConfig, "--trace", tinyTrace, "--events", tinyEvents, "--policy", "oracle"},
			wantCode: 0, wantOut: "SLO attainment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := benchSimMain(tt.args, &out, &errOut); code != tt.wantCode {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.wantCode, errOut.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, out.String())
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errOut.String())
			}
		})
	}
}

func TestBenchSimJSONAndPlot(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "tiny.png")
	var out, errOut bytes.Buffer
	args := []string{"--config", benchConfig, "--trace", tinyTrace, "--events", tinyEvents,
		"--policy", "costaware", "--seed", "3", "--json", "--plot", plot}
	if code := benchSimMain(args, &out, &errOut); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, errOut.String())
	}
	var report map[string]any
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out.String())
	}
	for _, key := range []string{"scenario", "policy", "requests", "served", "lost", "rejected", "cost_usd",
		"cost_per_million_usd", "slo_attainment", "latency_ms", "replica_seconds"} {
		if _, ok := report[key]; !ok {
			t.Errorf("report lacks %q", key)
		}
	}
	if report["scenario"] != "tiny" || report["policy"] != "costaware" {
		t.Errorf("scenario %v, policy %v", report["scenario"], report["policy"])
	}
	f, err := os.Open(plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("plot is not a PNG: %v", err)
	}
}
