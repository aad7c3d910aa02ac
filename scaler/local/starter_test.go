package local

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// goroutineStarter starts each worker as an HTTP server on loopback in
// this process, ready at once, and records every worker's flags.
type goroutineStarter struct {
	mu   sync.Mutex
	args [][]string
}

func (g *goroutineStarter) start(args []string, stdout, _ io.Writer) (Process, error) {
	g.mu.Lock()
	g.args = append(g.args, slices.Clone(args))
	g.mu.Unlock()
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name, addr := fs.String("name", "", ""), fs.String("http", "", "")
	fs.String("grpc", "", "")
	fs.String("cold-start", "", "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, *name)
	})}
	p := &goroutineProcess{srv: srv, done: make(chan error, 1)}
	go func() { p.done <- srv.Serve(ln) }()
	line, _ := json.Marshal(addrs{HTTP: ln.Addr().String(), GRPC: ln.Addr().String()})
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		srv.Close()
		return nil, err
	}
	return p, nil
}

func (g *goroutineStarter) started() [][]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.args)
}

// goroutineProcess is a worker served by goroutines of this process.
type goroutineProcess struct {
	srv  *http.Server
	done chan error
}

func (p *goroutineProcess) Pid() int         { return 0 }
func (p *goroutineProcess) Terminate() error { return p.srv.Shutdown(context.Background()) }
func (p *goroutineProcess) Kill() error      { return p.srv.Close() }
func (p *goroutineProcess) Wait() error {
	if err := <-p.done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// TestStarter runs a pool through a Starter that is not a process: the
// Supervisor passes the worker's flags without the child-process flag,
// reads the address line, probes the worker into routing, and stops it on
// a scale-down and on Close.
func TestStarter(t *testing.T) {
	g := &goroutineStarter{}
	rec := &changeRecorder{t: t}
	s := New(Options{Start: g.start, OnChange: rec.onChange, ProbeInterval: 10 * time.Millisecond, DrainDelay: -1})
	defer s.Close()
	if err := s.AddPool(PoolSpec{Name: "cpu", Replicas: 2, Args: []string{"--cold-start", "1s"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "2 workers ready", func() bool { ready, _ := s.Replicas("cpu"); return ready == 2 })
	for _, ep := range s.Endpoints("cpu") {
		if got := get(t, ep.HTTP); got != ep.ID {
			t.Errorf("worker at %s answered %q, want its name %q", ep.HTTP, got, ep.ID)
		}
	}
	want := [][]string{
		{"--name", "cpu-1", "--http", listenAddr, "--grpc", listenAddr, "--cold-start", "1s"},
		{"--name", "cpu-2", "--http", listenAddr, "--grpc", listenAddr, "--cold-start", "1s"},
	}
	if got := g.started(); !slices.EqualFunc(sorted(got), want, slices.Equal) {
		t.Errorf("workers started with %q, want %q", got, want)
	}
	gone := s.Endpoints("cpu")[1].HTTP
	if err := s.SetReplicas("cpu", 1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "1 worker left", func() bool { ready, starting := s.Replicas("cpu"); return ready == 1 && starting == 0 })
	waitFor(t, 5*time.Second, "the stopped worker's server closed", func() bool {
		resp, err := http.Get("http://" + gone)
		if err == nil {
			resp.Body.Close()
		}
		return err != nil
	})
}

// sorted orders argument lists by worker name, the second argument.
func sorted(args [][]string) [][]string {
	args = slices.Clone(args)
	slices.SortFunc(args, func(a, b []string) int { return strings.Compare(a[1], b[1]) })
	return args
}

func get(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// waitFor polls cond until it holds, or fails the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: still waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
