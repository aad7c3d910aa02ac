package kubernetes

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
)

func TestNewElectorRejects(t *testing.T) {
	valid := ElectorOptions{Namespace: "sluice", Identity: "gateway-0"}
	tests := []struct {
		name   string
		client kubernetes.Interface
		change func(*ElectorOptions)
	}{
		{"nil client", nil, func(*ElectorOptions) {}},
		{"no namespace", fake.NewClientset(), func(o *ElectorOptions) { o.Namespace = "" }},
		{"no identity", fake.NewClientset(), func(o *ElectorOptions) { o.Identity = "" }},
		{"renew deadline not below lease duration", fake.NewClientset(), func(o *ElectorOptions) {
			o.LeaseDuration, o.RenewDeadline = time.Second, time.Second
		}},
		{"retry period too close to renew deadline", fake.NewClientset(), func(o *ElectorOptions) {
			o.RenewDeadline, o.RetryPeriod = time.Second, time.Second
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := valid
			tt.change(&opts)
			if _, err := NewElector(tt.client, opts); !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("NewElector = %v, want ErrInvalidOptions", err)
			}
		})
	}
}

// TestElectorTerms drives the callbacks client-go calls, in both orders it
// may call them: a start that runs after its term's stop must not leave
// the Elector leading.
func TestElectorTerms(t *testing.T) {
	var started, stopped atomic.Int32
	e, err := NewElector(fake.NewClientset(), ElectorOptions{
		Namespace: "sluice", Identity: "gateway-0",
		OnStartedLeading: func(context.Context) { started.Add(1) },
		OnStoppedLeading: func() { stopped.Add(1) },
	})
	if err != nil {
		t.Fatalf("NewElector: %v", err)
	}
	first := e.callbacks(&term{})
	first.OnStartedLeading(t.Context())
	if !e.IsLeader() {
		t.Errorf("IsLeader after start = false, want true")
	}
	first.OnStoppedLeading()
	if e.IsLeader() {
		t.Errorf("IsLeader after stop = true, want false")
	}
	late := e.callbacks(&term{})
	late.OnStoppedLeading()
	late.OnStartedLeading(t.Context())
	if e.IsLeader() {
		t.Errorf("IsLeader after a start that came after its stop = true, want false")
	}
	if s, p := started.Load(), stopped.Load(); s != 1 || p != 1 {
		t.Errorf("hooks called %d starts, %d stops; want 1, 1", s, p)
	}
}

func TestElectorRunsOnce(t *testing.T) {
	e, err := NewElector(fake.NewClientset(), ElectorOptions{Namespace: "sluice", Identity: "gateway-0"})
	if err != nil {
		t.Fatalf("NewElector: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	eventually(t, 10*time.Second, "the only candidate leads", e.IsLeader)
	if err := e.Run(ctx); !errors.Is(err, ErrRunning) {
		t.Errorf("second Run = %v, want ErrRunning", err)
	}
	cancel()
	if e.IsLeader() {
		t.Errorf("IsLeader right after the cancel = true, want false (before the Lease is released)")
	}
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if e.IsLeader() {
		t.Errorf("IsLeader after Run returned = true, want false")
	}
}

// candidate is one gateway replica: an Elector and a Driver it gates, with
// a client of its own.
type candidate struct {
	id      string
	elector *Elector
	driver  *Driver
	// stop cancels the candidate's Run and returns what Run returned; it
	// may be called more than once.
	stop func() error
}

// Timings for the election tests: renewals every 100ms keep the leader
// safe on a loaded machine for RenewDeadline, while a LeaseDuration far
// above RetryPeriod shows whether a takeover came from a release (fast) or
// an expiry (slow).
const (
	testLeaseDuration = 10 * time.Second
	testRenewDeadline = 5 * time.Second
	testRetryPeriod   = 100 * time.Millisecond
)

func startCandidate(t *testing.T, cfg *rest.Config, ns, id string) *candidate {
	t.Helper()
	c := newClient(t, cfg)
	e, err := NewElector(c, ElectorOptions{
		Namespace: ns, Identity: id,
		LeaseDuration: testLeaseDuration, RenewDeadline: testRenewDeadline, RetryPeriod: testRetryPeriod,
	})
	if err != nil {
		t.Fatalf("NewElector(%s): %v", id, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	stop := sync.OnceValue(func() error { cancel(); return <-done })
	t.Cleanup(func() { _ = stop() })
	return &candidate{id: id, elector: e, driver: newDriver(t, c, Options{Namespace: ns, Leader: e}), stop: stop}
}

// watchOverlap samples both candidates until the test ends and counts the
// samples in which both lead.
func watchOverlap(t *testing.T, a, b *candidate) *atomic.Int32 {
	var both atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for ctx.Err() == nil {
			if a.elector.IsLeader() && b.elector.IsLeader() {
				both.Add(1)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	t.Cleanup(func() { cancel(); <-stopped })
	return &both
}

// leaderOf waits until exactly one candidate leads and returns it and the
// other one.
func leaderOf(t *testing.T, cands ...*candidate) (leader, follower *candidate) {
	t.Helper()
	eventually(t, 15*time.Second, "one candidate leads", func() bool {
		return cands[0].elector.IsLeader() != cands[1].elector.IsLeader()
	})
	if cands[0].elector.IsLeader() {
		return cands[0], cands[1]
	}
	return cands[1], cands[0]
}

// TestElection runs two gateway replicas against the real API server: one
// leads and scales, the other's SetReplicas writes nothing; when the
// leader stops, it releases the Lease and the other takes over at once.
func TestElection(t *testing.T) {
	cfg := apiServer(t)
	admin := newClient(t, cfg)
	ns := newNamespace(t, admin)
	createDeployment(t, admin, ns, "sluice-cpu", 1)
	a, b := startCandidate(t, cfg, ns, "gateway-a"), startCandidate(t, cfg, ns, "gateway-b")
	both := watchOverlap(t, a, b)

	leader, follower := leaderOf(t, a, b)
	checkScale(t, admin, ns, leader, follower, 3)
	checkHolder(t, admin, ns, leader.id)

	stoppedAt := time.Now()
	if err := leader.stop(); err != nil {
		t.Errorf("Run of the stopped leader = %v, want nil", err)
	}
	eventually(t, testLeaseDuration/2, "the follower takes over a released Lease", follower.elector.IsLeader)
	t.Logf("takeover after %v", time.Since(stoppedAt))
	checkScale(t, admin, ns, follower, leader, 5)
	checkHolder(t, admin, ns, follower.id)
	if n := both.Load(); n != 0 {
		t.Errorf("both candidates led at once in %d samples", n)
	}
}

// checkScale has the follower, then the leader, scale the pool; only the
// leader's call may land.
func checkScale(t *testing.T, c kubernetes.Interface, ns string, leader, follower *candidate, n int) {
	t.Helper()
	if err := follower.driver.SetReplicas(testContext(t), "cpu", n+1); !errors.Is(err, ErrNotLeader) {
		t.Errorf("%s (following): SetReplicas = %v, want ErrNotLeader", follower.id, err)
	}
	if err := leader.driver.SetReplicas(testContext(t), "cpu", n); err != nil {
		t.Errorf("%s (leading): SetReplicas: %v", leader.id, err)
	}
	if got := *getDeployment(t, c, ns, "sluice-cpu").Spec.Replicas; got != int32(n) {
		t.Errorf("spec.replicas = %d, want %d, set by %s", got, n, leader.id)
	}
}

func checkHolder(t *testing.T, c kubernetes.Interface, ns, want string) {
	t.Helper()
	lease, err := c.CoordinationV1().Leases(ns).Get(testContext(t), DefaultLeaseName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get lease: %v", err)
	}
	if got := lease.Spec.HolderIdentity; got == nil || *got != want {
		t.Errorf("lease holder = %v, want %q", got, want)
	}
}
