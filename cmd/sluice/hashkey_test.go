package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestHashKey(t *testing.T) {
	// printf %s sluice-demo-high | sha256sum
	const demoHigh = "3115eef19458d44d07e370937328512b9895bc309fd253eca0624ffae86e1a0d\n"
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "argument", args: []string{"sluice-demo-high"}, wantStdout: demoHigh},
		{name: "stdin", stdin: "sluice-demo-high", wantStdout: demoHigh},
		{name: "stdin with a line ending", stdin: "sluice-demo-high\r\nignored\n", wantStdout: demoHigh},
		{name: "empty stdin", wantCode: 1, wantStderr: "malformed API key"},
		{name: "space in key", args: []string{"two words"}, wantCode: 1, wantStderr: "no spaces"},
		{name: "two keys", args: []string{"a", "b"}, wantCode: 1, wantStderr: "at most one key, got 2"},
		{name: "help", args: []string{"--help"}, wantStderr: "Usage: sluice hash-key [KEY]"},
		{name: "unknown flag", args: []string{"--md5"}, wantCode: 2, wantStderr: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := hashKey(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.wantCode || stdout.String() != tt.wantStdout || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, stderr containing %q",
					code, stdout.String(), stderr.String(), tt.wantCode, tt.wantStdout, tt.wantStderr)
			}
			if tt.wantCode == 1 && len(tt.args) == 1 && strings.Contains(stderr.String(), tt.args[0]) {
				t.Errorf("stderr %q repeats the key", stderr.String())
			}
		})
	}
}
