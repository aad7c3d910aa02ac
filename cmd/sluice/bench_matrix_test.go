package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBenchMatrixMain(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	for _, name := range []string{"tiny.trace.csv", "tiny.events.csv"} {
		data, err := os.ReadFile(filepath.Join("../../bench/sim/testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var errOut bytes.Buffer
	args := []string{"--config", benchConfig, "--scenarios", dir, "--out", out, "--policies", "oracle,hpa,costaware", "--parallel", "2"}
	if code := benchMatrixMain(args, &errOut); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "3/3") {
		t.Errorf("progress does not reach 3/3:\n%q", errOut.String())
	}
	md, err := os.ReadFile(filepath.Join(out, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## tiny", "| oracle |", "| hpa |", "| costaware |", "## Targets of costaware"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
	for _, p := range []string{"oracle", "hpa", "costaware"} {
		if _, err := os.Stat(filepath.Join(out, "tiny-"+p+".png")); err != nil {
			t.Error(err)
		}
	}
}

func TestBenchMatrixUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "help", args: []string{"--help"}, wantCode: 0, wantErr: "Usage: sluice bench matrix"},
		{name: "no folders", args: []string{}, wantCode: 2, wantErr: "--out is required"},
		{name: "empty folder", args: []string{"--config", benchConfig, "--scenarios", t.TempDir(), "--out", t.TempDir()},
			wantCode: 1, wantErr: "no *.trace.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			if code := benchMatrixMain(tt.args, &errOut); code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errOut.String())
			}
		})
	}
}
