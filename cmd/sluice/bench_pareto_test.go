package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBenchParetoMain(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	data, err := os.ReadFile(filepath.Join("../../bench/sim/testdata", "tiny.trace.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tiny.trace.csv"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	args := []string{"--config", benchConfig, "--scenarios", dir, "--out", out, "--families", "static,costaware",
		"--seeds", "2", "--levels", "0.9,0.99"}
	if code := benchParetoMain(args, &errOut); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, errOut.String())
	}
	md, err := os.ReadFile(filepath.Join(out, "pareto.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## tiny", "| static |", "| costaware |", "SLO ≥ 0.99 |", "seeds 1, 2", "costaware's front"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("pareto.md lacks %q:\n%s", want, md)
		}
	}
	for _, name := range []string{"pareto.json", "tiny.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestBenchParetoUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "help states each grid", args: []string{"--help"}, wantCode: 0, wantErr: "target ∈ {0.7, 0.8, 0.9, 1} (default 0.7)"},
		{name: "no folders", args: []string{}, wantCode: 2, wantErr: "--out is required"},
		{name: "level of 1", args: []string{"--levels", "0.99,1", "--scenarios", "x", "--out", "y"}, wantCode: 2, wantErr: "want levels below 1"},
		{name: "unknown family", args: []string{"--config", benchConfig, "--scenarios", t.TempDir(), "--out", t.TempDir(), "--families", "hpa,nope"},
			wantCode: 1, wantErr: `no policy family "hpa"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			if code := benchParetoMain(tt.args, &errOut); code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errOut.String())
			}
		})
	}
}
