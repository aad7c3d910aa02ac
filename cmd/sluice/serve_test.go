package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// TestServeEndToEnd runs `sluice serve` as a process with two local
// workers, calls sum over HTTP and gRPC, then stops the gateway — politely
// or with SIGKILL — and checks that no worker outlives it.
func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped in -short mode")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			gw := startServe(t)
			apptest.CheckSumHTTP(t, gw.http)
			checkSumGRPC(t, gw.grpc)
			workers := childPIDs(t, gw.cmd.Process.Pid)
			if len(workers) != 2 {
				t.Fatalf("gateway has %d worker processes, want 2", len(workers))
			}
			if err := gw.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			_ = gw.cmd.Wait()
			waitGone(t, workers)
		})
	}
}

// served is a running `sluice serve`.
type served struct {
	cmd        *exec.Cmd
	http, grpc string
}

func startServe(t *testing.T) served {
	t.Helper()
	s := served{http: freeAddr(t), grpc: freeAddr(t)}
	cfg := fmt.Sprintf(`listen: {http: %q, grpc: %q}
models: [{name: sum, tier: t}]
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, curve: {base: 2ms, per_item: 1ms}, max_batch: 8, cold_start: 100ms, replicas: {min: 2, max: 2}}
`, s.http, s.grpc)
	path := filepath.Join(t.TempDir(), "sluice.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logs := apptest.NewLog()
	s.cmd = exec.Command(os.Args[0], "serve", "--config", path)
	s.cmd.Env = append(os.Environ(), cliEnv+"=1")
	s.cmd.Stdout, s.cmd.Stderr = logs, logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	waitReady(t, s.http, logs)
	return s
}

// freeAddr returns a loopback address with a port free at the moment.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitReady waits until the gateway at addr answers ready, and has t
// show serve's logs if it fails.
func waitReady(t *testing.T, addr string, logs *apptest.Log) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve's log:\n%s", logs)
		}
	})
	apptest.WaitUntil(t, "the gateway at "+addr+" ready", func() bool { return healthReady(addr) })
}

// healthReady reports whether GET /v2/health/ready at addr answers 200.
func healthReady(addr string) bool {
	resp, err := http.Get("http://" + addr + "/v2/health/ready")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func checkSumGRPC(t *testing.T, addr string) {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := inferencepb.NewGRPCInferenceServiceClient(conn).ModelInfer(ctx, &inferencepb.ModelInferRequest{
		ModelName: "sum",
		Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
			Name: "x", Datatype: "FP32", Shape: []int64{2, 3},
			Contents: &inferencepb.InferTensorContents{Fp32Contents: []float32{1, 2, 3, 4, 5, 6}},
		}},
	})
	if err != nil {
		t.Fatalf("gRPC ModelInfer: %v", err)
	}
	out, err := oip.ResponseFromProto(resp)
	if err != nil {
		t.Fatal(err)
	}
	if err := apptest.CheckQuickstartAnswer(out); err != nil {
		t.Errorf("gRPC: %v", err)
	}
}

// childPIDs lists the processes whose parent is pid, from /proc.
func childPIDs(t *testing.T, pid int) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var kids []int
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the process has exited
		}
		// Fields after the command name, which ends with the last ')'.
		fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			kids = append(kids, child)
		}
	}
	return kids
}

// waitGone waits until every pid has exited.
func waitGone(t *testing.T, pids []int) {
	t.Helper()
	apptest.WaitUntil(t, fmt.Sprintf("workers %v gone with the gateway", pids), func() bool { return alive(pids) == nil })
}

// alive returns the pids that still run (zombies count as gone).
func alive(pids []int) []int {
	var out []int
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(fields) > 0 && fields[0] != "Z" {
			out = append(out, pid)
		}
	}
	return out
}
