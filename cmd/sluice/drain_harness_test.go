package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// liveServe is a running `sluice serve` whose config file the test may
// rewrite and whose process it may signal.
type liveServe struct {
	cmd               *exec.Cmd
	file              string
	http, grpc, admin string
	logs              *apptest.Log
	exited            chan error // receives cmd.Wait's result
}

// startLiveServe runs `sluice serve` on yaml, which must leave listen out,
// with HTTP, gRPC and admin on free loopback ports, and waits until it is
// ready. The test's cleanup kills it if it still runs.
func startLiveServe(t *testing.T, yaml string) *liveServe {
	t.Helper()
	s := &liveServe{
		file: filepath.Join(t.TempDir(), "sluice.yaml"), http: freeAddr(t), grpc: freeAddr(t), admin: freeAddr(t),
		logs: apptest.NewLog(), exited: make(chan error, 1),
	}
	s.writeConfig(t, yaml)
	s.cmd = exec.Command(os.Args[0], "serve", "--config", s.file)
	s.cmd.Env = append(os.Environ(), cliEnv+"=1")
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
		if t.Failed() {
			t.Logf("serve's log:\n%s", s.logs)
		}
	})
	apptest.WaitUntil(t, "serve ready", func() bool { return healthReady(s.http) })
	return s
}

// writeConfig makes yaml, with s's listeners, the config file.
func (s *liveServe) writeConfig(t *testing.T, yaml string) {
	t.Helper()
	full := fmt.Sprintf("listen: {http: %q, grpc: %q, admin: %q}\n%s", s.http, s.grpc, s.admin, yaml)
	if err := os.WriteFile(s.file, []byte(full), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (s *liveServe) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// wait returns serve's exit error, failing the test if it runs on for
// 30 s.
func (s *liveServe) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.exited:
		s.exited <- err // for the cleanup
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("serve still runs 30s after it was told to stop")
		return nil
	}
}

// Outcomes of a call in a load, as tally counts them.
const (
	outcomeOK       = "200"
	outcomeDraining = "503 draining"
	// outcomeRefused is a call whose connection was refused: it was
	// never sent, and its client knows it.
	outcomeRefused = "connection refused"
	// outcomeBacklogReset is a call on a new connection reset before any
	// answer: the kernel had accepted the connection, but serve had not
	// when its listener closed, which resets those still queued.
	outcomeBacklogReset = "new connection reset"
)

// tally counts the outcomes of a load's calls, keeping the first message
// of each outcome that is none of the above. It is safe for concurrent
// use.
type tally struct {
	mu     sync.Mutex
	counts map[string]int
	sample map[string]string
}

func (ty *tally) add(outcome, detail string) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	ty.counts[outcome]++
	if _, ok := ty.sample[outcome]; !ok && detail != "" {
		ty.sample[outcome] = detail
	}
}

// lost returns the calls that got neither an answer of ours (200, a 503
// while draining) nor a refused connection, with a sample of each kind.
func (ty *tally) lost() (n int, samples []string) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	for outcome, c := range ty.counts {
		if outcome != outcomeOK && outcome != outcomeDraining && outcome != outcomeRefused {
			n += c
			samples = append(samples, fmt.Sprintf("%d × %s: %s", c, outcome, ty.sample[outcome]))
		}
	}
	sort.Strings(samples)
	return n, samples
}

func (ty *tally) count(outcome string) int {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	return ty.counts[outcome]
}

func (ty *tally) String() string {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	return fmt.Sprint(ty.counts)
}

// openLoop sends one sum call to addr every 1/rate seconds, each on its
// own goroutine whatever the others do, until stop is called; stop waits
// for every call's outcome and returns the tally.
func openLoop(addr string, rate float64) (stop func() *tally) {
	ty := &tally{counts: map[string]int{}, sample: map[string]string{}}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	ctx, cancel := context.WithCancel(context.Background())
	var calls sync.WaitGroup
	var loop sync.WaitGroup
	loop.Go(func() {
		tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				calls.Go(func() { ty.add(call(client, addr)) })
			}
		}
	})
	return func() *tally {
		cancel()
		loop.Wait()
		calls.Wait()
		client.CloseIdleConnections()
		return ty
	}
}

// call sends one sum call and names its outcome.
func call(client *http.Client, addr string) (outcome, detail string) {
	var reused bool
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{GotConn: func(c httptrace.GotConnInfo) { reused = c.Reused }})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/v2/models/sum/infer", strings.NewReader(apptest.QuickstartSum))
	if err != nil {
		return "request", err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return outcomeRefused, ""
	case errors.Is(err, syscall.ECONNRESET) && !reused:
		return outcomeBacklogReset, err.Error()
	case err != nil:
		return "transport error", err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return "body cut short", err.Error()
	case resp.StatusCode == http.StatusOK:
		return outcomeOK, ""
	case resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(errorOf(body), "shutting down"):
		return outcomeDraining, ""
	}
	return fmt.Sprintf("status %d", resp.StatusCode), string(body)
}

// errorOf returns the message of an {"error": "..."} body, or "".
func errorOf(body []byte) string {
	var e struct{ Error string }
	_ = json.Unmarshal(body, &e)
	return e.Error
}
