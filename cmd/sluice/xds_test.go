package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestXDSDumpBenchGolden pins the resources configs/bench.yaml yields:
// `sluice xds dump --config configs/bench.yaml` must print the golden file
// (go test -update rewrites it).
func TestXDSDumpBenchGolden(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runXDS([]string{"dump", "--config", "../../configs/bench.yaml"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	golden := filepath.Join("testdata", "xds-bench.golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", golden, diff)
	}
}

func TestRunXDSUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no subcommand", nil, 0, "Usage: sluice xds dump"},
		{"unknown subcommand", []string{"load"}, 2, "Usage: sluice xds dump"},
		{"node with config", []string{"dump", "--config", "x.yaml", "--node", "n"}, 2, "--node needs a running Sluice"},
		{"bad config", []string{"dump", "--config", "../../configs/testdata/negative-price.bad.yaml"}, 1, "price_per_hour"},
		{"nothing listening", []string{"dump", "--admin", "127.0.0.1:1"}, 1, "sluice xds dump:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runXDS(tt.args, &stdout, &stderr)
			if code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want %d containing %q", code, stderr.String(), tt.wantCode, tt.wantErr)
			}
		})
	}
}
