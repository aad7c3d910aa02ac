package local

import (
	"errors"
	"log/slog"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCommandValidate(t *testing.T) {
	argv := func(args ...string) []string { return append([]string{"/bin/server"}, args...) }
	tests := []struct {
		name    string
		spec    PoolSpec
		wantErr string // "" for valid
	}{
		{"grpc on its port", PoolSpec{Name: "p", Command: &Command{Argv: argv("--grpc-port={grpc_port}")}}, ""},
		{"http on its port, a ready path", PoolSpec{Name: "p", Command: &Command{Argv: argv("-p", "{http_port}"), Protocol: "http", ReadyPath: "/healthz"}}, ""},
		{"port given in the environment", PoolSpec{Name: "p", Command: &Command{Argv: argv(), Env: map[string]string{"PORT": "{grpc_port}"}}}, ""},
		{"no program", PoolSpec{Name: "p", Command: &Command{}}, "no program"},
		{"unknown protocol", PoolSpec{Name: "p", Command: &Command{Argv: argv("{grpc_port}"), Protocol: "tcp"}}, `protocol "tcp"`},
		{"grpc without its port", PoolSpec{Name: "p", Command: &Command{Argv: argv("{http_port}")}}, "protocol grpc, but no argument or variable holds {grpc_port}"},
		{"http without its port", PoolSpec{Name: "p", Command: &Command{Argv: argv("{grpc_port}"), Protocol: "http"}}, "protocol http, but no argument or variable holds {http_port}"},
		{"a relative ready path", PoolSpec{Name: "p", Command: &Command{Argv: argv("{http_port}", "{grpc_port}"), ReadyPath: "ready"}}, "must start with /"},
		{"a ready path without an HTTP port", PoolSpec{Name: "p", Command: &Command{Argv: argv("{grpc_port}"), ReadyPath: "/ready"}}, "ready path"},
		{"emulator flags beside a command", PoolSpec{Name: "p", Command: &Command{Argv: argv("{grpc_port}")}, Args: []string{"--base", "1ms"}}, "emulator's"},
		{"negative stop timeout", PoolSpec{Name: "p", Command: &Command{Argv: argv("{grpc_port}"), StopTimeout: -1}}, "stop timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.spec.validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidSpec) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("validate() = %v, want ErrInvalidSpec saying %q", err, tt.wantErr)
			}
		})
	}
}

// TestCommandPrepare fills every placeholder, in arguments and
// environment, with the replica's names and two distinct free ports.
func TestCommandPrepare(t *testing.T) {
	c := &Command{
		Argv: []string{"srv", "--http={http_port}", "--grpc={grpc_port}", "--name={pool}/{replica}"},
		Env:  map[string]string{"REPLICA": "{replica}", "PLAIN": "x"},
	}
	st, err := c.prepare("gpu", "gpu-3")
	if err != nil {
		t.Fatal(err)
	}
	_, httpPort, _ := net.SplitHostPort(st.addrs.HTTP)
	_, grpcPort, _ := net.SplitHostPort(st.addrs.GRPC)
	if httpPort == grpcPort || !strings.HasPrefix(st.addrs.HTTP, "127.0.0.1:") || !strings.HasPrefix(st.addrs.GRPC, "127.0.0.1:") {
		t.Fatalf("addresses %+v, want two loopback addresses on distinct ports", st.addrs)
	}
	want := []string{"srv", "--http=" + httpPort, "--grpc=" + grpcPort, "--name=gpu/gpu-3"}
	if diff := cmp.Diff(want, st.argv); diff != "" {
		t.Errorf("argv (-want +got):\n%s", diff)
	}
	for _, kv := range []string{"REPLICA=gpu-3", "PLAIN=x"} {
		if !slices.Contains(st.env, kv) {
			t.Errorf("environment lacks %s", kv)
		}
	}
	if c.Argv[1] != "--http={http_port}" {
		t.Errorf("prepare changed the command: %q", c.Argv)
	}
	only, err := (&Command{Argv: []string{"srv", "{grpc_port}"}}).prepare("p", "p-1")
	if err != nil || only.addrs.HTTP != "" || only.addrs.GRPC == "" {
		t.Errorf("a command with only {grpc_port}: addresses %+v, %v; want a gRPC one only", only.addrs, err)
	}
}

// TestOutputRateLimit floods a process's output: the lines over the burst
// are dropped and counted once the process ends.
func TestOutputRateLimit(t *testing.T) {
	h := newRecordHandler()
	out := newOutput(slog.New(h).With("pool", "p", "worker", "p-1"), slog.LevelInfo, 1e-3, 3)
	w := out.writer("stdout")
	for range 10 {
		w.Write([]byte("line\n"))
	}
	out.close()
	want := []string{
		"worker output pool=p worker=p-1 stream=stdout line=line",
		"worker output pool=p worker=p-1 stream=stdout line=line",
		"worker output pool=p worker=p-1 stream=stdout line=line",
		"worker output over its rate limit; lines dropped pool=p worker=p-1 lines=7",
	}
	if diff := cmp.Diff(want, h.records()); diff != "" {
		t.Errorf("logged (-want +got):\n%s", diff)
	}
}
