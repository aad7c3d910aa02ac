package main

import (
	"strings"
	"testing"
)

func TestBenchDispatch(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{name: "no benchmark", wantCode: 2, wantOut: "batch"},
		{name: "help", args: []string{"--help"}, wantCode: 0, wantOut: "Usage: sluice bench"},
		{name: "unknown benchmark", args: []string{"warp"}, wantCode: 2, wantOut: `unknown benchmark "warp"`},
		{name: "benchmark help", args: []string{"batch", "-h"}, wantCode: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			if code := benchDispatch(tt.args, &out); code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("output does not contain %q:\n%s", tt.wantOut, out.String())
			}
		})
	}
}

func TestBenchIsACommand(t *testing.T) {
	if _, ok := commands["bench"]; !ok {
		t.Fatal(`commands["bench"] is not registered`)
	}
	var out strings.Builder
	if code := dispatch([]string{"bench", "warp"}, &out); code != 2 {
		t.Errorf("sluice bench warp: exit code %d, want 2", code)
	}
}
