package main

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/bench/worker"
)

func TestParseWorkerFlags(t *testing.T) {
	defaults := workerConfig{worker: worker.Flags{
		Options: worker.Options{Name: worker.DefaultName, Base: 5 * time.Millisecond, PerItem: time.Millisecond, Slowdown: 1},
		HTTP:    "127.0.0.1:0", GRPC: "127.0.0.1:0",
	}}
	tests := []struct {
		name    string
		args    []string
		want    workerConfig
		wantErr bool
	}{
		{name: "defaults", want: defaults},
		{
			name: "every flag",
			args: []string{
				"--name", "gpu-0", "--http", ":8000", "--grpc", "127.0.0.1:8001", "--base", "40ms",
				"--per-item", "2ms", "--max-batch", "32", "--cold-start", "15s", "--exit-on-stdin-close",
				"--slowdown", "10", "--garbage",
			},
			want: workerConfig{worker: worker.Flags{
				Options: worker.Options{
					Name: "gpu-0", Base: 40 * time.Millisecond, PerItem: 2 * time.Millisecond,
					MaxBatch: 32, ColdStart: 15 * time.Second, Slowdown: 10, Garbage: true,
				},
				HTTP: ":8000", GRPC: "127.0.0.1:8001", ExitOnStdinClose: true,
			}},
		},
		{name: "bad duration", args: []string{"--base", "fast"}, wantErr: true},
		{name: "unknown flag", args: []string{"--gpus", "2"}, wantErr: true},
		{name: "stray argument", args: []string{"serve"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWorkerFlags(tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(workerConfig{}), cmpopts.IgnoreFields(worker.Options{}, "Clock", "Logger")); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWorkerHelp(t *testing.T) {
	var out strings.Builder
	if code := workerMain([]string{"--help"}, strings.NewReader(""), io.Discard, &out); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
	for _, flag := range []string{"-name", "-http", "-grpc", "-base", "-per-item", "-max-batch", "-cold-start", "-exit-on-stdin-close", "-slowdown", "-garbage"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("help does not explain %s:\n%s", flag, out.String())
		}
	}
}

func TestWorkerExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"help", []string{"-h"}, 0},
		{"unknown flag", []string{"--gpus", "2"}, 2},
		{"negative base", []string{"--base", "-1ms"}, 2},
		{"negative slowdown", []string{"--slowdown", "-2"}, 2},
		{"bad address", []string{"--http", "127.0.0.1:notaport"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := workerMain(tt.args, strings.NewReader(""), io.Discard, io.Discard); got != tt.want {
				t.Errorf("exit code = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParseWorkerFlagsHelp(t *testing.T) {
	if _, err := parseWorkerFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("error = %v, want %v", err, flag.ErrHelp)
	}
}

// announceWriter passes each Write on as one string.
type announceWriter chan string

func (w announceWriter) Write(p []byte) (int, error) {
	w <- string(p)
	return len(p), nil
}

func TestWorkerStopsWhenStdinCloses(t *testing.T) {
	stdin, closeStdin := io.Pipe()
	stdout := make(announceWriter, 1)
	exited := make(chan int, 1)
	go func() { exited <- workerMain([]string{"--exit-on-stdin-close"}, stdin, stdout, io.Discard) }()

	select {
	case line := <-stdout:
		var a worker.Announcement
		if err := json.Unmarshal([]byte(line), &a); err != nil || a.HTTP == "" || a.GRPC == "" {
			t.Errorf("announcement %q: %+v, %v", line, a, err)
		}
	case code := <-exited:
		t.Fatalf("worker exited with %d before announcing", code)
	case <-time.After(5 * time.Second):
		t.Fatal("no announcement within 5s")
	}
	closeStdin.Close()
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("exit code = %d, want 0", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("worker still running 15s after stdin closed")
	}
}
