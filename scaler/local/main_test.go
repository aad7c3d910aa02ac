package local

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Environment of the helper process that TestWorkersDieWithGateway starts
// from this test binary.
const (
	helperEnv = "SLUICE_LOCAL_TEST_HELPER" // "1" turns the test binary into the helper
	binaryEnv = "SLUICE_LOCAL_TEST_BINARY" // the sluice binary the helper runs workers with
)

// testPoolArgs make workers fast to start and cheap to run.
var testPoolArgs = []string{"--base", "1ms", "--per-item", "1ms", "--max-batch", "8", "--cold-start", "300ms"}

// sluiceBinary is the sluice binary TestMain builds; buildErr says why it
// could not.
var (
	sluiceBinary string
	buildErr     error
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(runHelper())
	}
	flag.Parse()
	dir, err := os.MkdirTemp("", "sluice-local-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if !testing.Short() {
		sluiceBinary, buildErr = buildSluice(dir)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		// Every test must have stopped its supervisor and workers.
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: goroutines outlived the tests: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// buildSluice builds ./cmd/sluice of this module into dir.
func buildSluice(dir string) (string, error) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	bin := filepath.Join(dir, "sluice")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/sluice")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/sluice: %w\n%s", err, out)
	}
	return bin, nil
}

// workerCommand returns the Options.Command of the real worker, or ends
// the test: skipped in -short mode, failed if the build failed.
func workerCommand(t *testing.T) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts worker processes; not in -short mode")
	}
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return []string{sluiceBinary, "worker"}
}

// runHelper is the gateway stand-in of TestWorkersDieWithGateway: it starts
// two workers, prints their pids as one JSON line once both are ready, and
// runs until its stdin closes or it is killed.
func runHelper() int {
	ready := make(chan struct{})
	var once sync.Once
	s := New(Options{
		Command:       []string{os.Getenv(binaryEnv), "worker"},
		ProbeInterval: 50 * time.Millisecond,
		OnChange: func(_ string, eps []Endpoint) {
			if len(eps) == 2 {
				once.Do(func() { close(ready) })
			}
		},
	})
	defer s.Close()
	if err := s.AddPool(PoolSpec{Name: "cpu", Args: testPoolArgs, Replicas: 2}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		fmt.Fprintln(os.Stderr, "helper: workers not ready after 30s")
		return 1
	}
	var pids []int
	for _, pid := range s.pids("cpu") {
		pids = append(pids, pid)
	}
	if err := json.NewEncoder(os.Stdout).Encode(pids); err != nil {
		return 1
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// pids returns the process id of each worker of a pool that runs one.
func (s *Supervisor) pids(pool string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int)
	if p, ok := s.pools[pool]; ok {
		for _, w := range p.workers {
			if w.pid != 0 {
				out[w.id] = w.pid
			}
		}
	}
	return out
}
