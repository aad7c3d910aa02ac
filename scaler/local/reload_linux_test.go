package local

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRemovePool removes a pool of two ready workers: both leave routing
// while still alive, then exit; the pool is forgotten, and its name can
// be added again.
func TestRemovePool(t *testing.T) {
	s, r := startSupervisor(t)
	if err := s.AddPool(PoolSpec{Name: "cpu", Args: testPoolArgs, Replicas: 2}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "cpu-1 and cpu-2 ready", readyIDsAre(r, "cpu", "cpu-1", "cpu-2"))
	pids := s.pids("cpu")
	if err := s.RemovePool("cpu"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "no cpu worker in routing", readyIDsAre(r, "cpu"))
	for _, d := range r.departures() {
		if !d.alive {
			t.Errorf("%s had exited before it left routing", d.ep.ID)
		}
	}
	for id, pid := range pids {
		waitFor(t, 10*time.Second, id+" exited", func() bool { return !alive(pid) })
	}
	if ready, starting := s.Replicas("cpu"); ready != 0 || starting != 0 || s.Endpoints("cpu") != nil {
		t.Errorf("removed pool: Replicas = %d, %d, Endpoints = %v; want nothing", ready, starting, s.Endpoints("cpu"))
	}
	for name, err := range map[string]error{
		"SetReplicas": s.SetReplicas("cpu", 1),
		"SetArgs":     s.SetArgs("cpu", nil),
		"RemovePool":  s.RemovePool("cpu"),
	} {
		if !errors.Is(err, ErrUnknownPool) {
			t.Errorf("%s of a removed pool = %v, want ErrUnknownPool", name, err)
		}
	}
	if err := s.AddPool(PoolSpec{Name: "cpu", Args: testPoolArgs, Replicas: 1}); err != nil {
		t.Fatalf("AddPool after RemovePool: %v", err)
	}
	waitFor(t, 20*time.Second, "the new cpu pool ready", func() bool { return len(r.ready("cpu")) == 1 })
}

// TestSetArgs changes a pool's flags: the running worker keeps its own,
// the next one started runs with the new ones.
func TestSetArgs(t *testing.T) {
	s, r := startSupervisor(t)
	if err := s.AddPool(PoolSpec{Name: "cpu", Args: testPoolArgs, Replicas: 1}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "cpu-1 ready", readyIDsAre(r, "cpu", "cpu-1"))
	if err := s.SetArgs("cpu", []string{"--http", "127.0.0.1:1"}); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("SetArgs with a reserved flag = %v, want ErrInvalidSpec", err)
	}
	next := slices.Concat(testPoolArgs, []string{"--per-item", "2ms"})
	if err := s.SetArgs("cpu", next); err != nil {
		t.Fatal(err)
	}
	if err := s.SetReplicas("cpu", 2); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "cpu-1 and cpu-2 ready", readyIDsAre(r, "cpu", "cpu-1", "cpu-2"))
	pids := s.pids("cpu")
	for id, wantSuffix := range map[string][]string{"cpu-1": testPoolArgs, "cpu-2": next} {
		args := cmdline(t, pids[id])
		if !slices.Equal(args[len(args)-len(wantSuffix):], wantSuffix) {
			t.Errorf("%s runs %q, want it to end with %q", id, args, wantSuffix)
		}
	}
}

// cmdline returns the arguments of process pid.
func cmdline(t *testing.T, pid int) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}
