package kubernetes

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"
)

// createDeployment creates a minimal Deployment of `sluice worker`.
func createDeployment(t *testing.T, c kubernetes.Interface, ns, name string, replicas int32) *appsv1.Deployment {
	t.Helper()
	labels := map[string]string{"app.kubernetes.io/instance": name}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "worker", Image: "sluice", Args: []string{"worker"},
				}}},
			},
		},
	}
	got, err := c.AppsV1().Deployments(ns).Create(testContext(t), d, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create deployment %s/%s: %v", ns, name, err)
	}
	return got
}

// getDeployment reads a Deployment back from the API server.
func getDeployment(t *testing.T, c kubernetes.Interface, ns, name string) *appsv1.Deployment {
	t.Helper()
	d, err := c.AppsV1().Deployments(ns).Get(testContext(t), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get deployment %s/%s: %v", ns, name, err)
	}
	return d
}

func newDriver(t *testing.T, c kubernetes.Interface, opts Options) *Driver {
	t.Helper()
	d, err := New(c, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name   string
		client kubernetes.Interface
		opts   Options
	}{
		{"nil client", nil, Options{Namespace: "sluice"}},
		{"no namespace", fake.NewClientset(), Options{}},
		{"same port names", fake.NewClientset(), Options{Namespace: "sluice", HTTPPort: "grpc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.client, tt.opts); !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("New = %v, want ErrInvalidOptions", err)
			}
		})
	}
}

// TestSetReplicas drives one Deployment through a sequence of calls on the
// real API server; each step checks the error, spec.replicas and whether
// the call wrote (a write changes the resourceVersion).
func TestSetReplicas(t *testing.T) {
	c := newClient(t, apiServer(t))
	ns := newNamespace(t, c)
	createDeployment(t, c, ns, "sluice-cpu", 1)
	d := newDriver(t, c, Options{Namespace: ns})
	steps := []struct {
		name    string
		pool    string
		n       int
		wantErr error
		want    int32
		writes  bool
	}{
		{name: "grow", pool: "cpu", n: 3, want: 3, writes: true},
		{name: "same count writes nothing", pool: "cpu", n: 3, want: 3},
		{name: "shrink to zero", pool: "cpu", n: 0, want: 0, writes: true},
		{name: "negative", pool: "cpu", n: -1, wantErr: ErrInvalidReplicas, want: 0},
		{name: "beyond int32", pool: "cpu", n: 1 << 40, wantErr: ErrInvalidReplicas, want: 0},
		{name: "unknown pool", pool: "gpu", n: 2, wantErr: ErrUnknownPool, want: 0},
		{name: "back to two", pool: "cpu", n: 2, want: 2, writes: true},
	}
	for _, s := range steps {
		before := getDeployment(t, c, ns, "sluice-cpu")
		err := d.SetReplicas(testContext(t), s.pool, s.n)
		if !errors.Is(err, s.wantErr) {
			t.Fatalf("%s: SetReplicas(%q, %d) = %v, want %v", s.name, s.pool, s.n, err, s.wantErr)
		}
		after := getDeployment(t, c, ns, "sluice-cpu")
		if got := *after.Spec.Replicas; got != s.want {
			t.Errorf("%s: spec.replicas = %d, want %d", s.name, got, s.want)
		}
		if wrote := after.ResourceVersion != before.ResourceVersion; wrote != s.writes {
			t.Errorf("%s: wrote = %v, want %v", s.name, wrote, s.writes)
		}
	}
}

// interferer is a transport that, before the first scale update passes
// through it, changes the Deployment with another client, so that the
// update carries a stale resourceVersion and the real API server answers
// 409 Conflict.
type interferer struct {
	next    http.RoundTripper
	bump    func() error
	updates atomic.Int32
}

func (i *interferer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/scale") {
		if i.updates.Add(1) == 1 {
			if err := i.bump(); err != nil {
				return nil, err
			}
		}
	}
	return i.next.RoundTrip(r)
}

func TestSetReplicasRetriesConflict(t *testing.T) {
	cfg := apiServer(t)
	admin := newClient(t, cfg)
	ns := newNamespace(t, admin)
	createDeployment(t, admin, ns, "sluice-cpu", 1)
	i := &interferer{bump: func() error {
		patch := []byte(`{"metadata":{"annotations":{"test/bumped":"yes"}}}`)
		_, err := admin.AppsV1().Deployments(ns).Patch(testContext(t), "sluice-cpu",
			types.MergePatchType, patch, metav1.PatchOptions{})
		return err
	}}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { i.next = rt; return i }
	d := newDriver(t, newClient(t, cfg), Options{Namespace: ns})

	if err := d.SetReplicas(testContext(t), "cpu", 4); err != nil {
		t.Fatalf("SetReplicas: %v", err)
	}
	if got := *getDeployment(t, admin, ns, "sluice-cpu").Spec.Replicas; got != 4 {
		t.Errorf("spec.replicas = %d, want 4", got)
	}
	if got := i.updates.Load(); got != 2 {
		t.Errorf("scale updates = %d, want 2 (one conflict, one retry)", got)
	}
}

func TestSetReplicasNotLeader(t *testing.T) {
	c := newClient(t, apiServer(t))
	ns := newNamespace(t, c)
	createDeployment(t, c, ns, "sluice-cpu", 1)
	var leading atomic.Bool
	d := newDriver(t, c, Options{Namespace: ns, Leader: leaderFunc(leading.Load)})

	if err := d.SetReplicas(testContext(t), "cpu", 3); !errors.Is(err, ErrNotLeader) {
		t.Errorf("SetReplicas while following = %v, want ErrNotLeader", err)
	}
	if got := *getDeployment(t, c, ns, "sluice-cpu").Spec.Replicas; got != 1 {
		t.Errorf("spec.replicas after a follower's call = %d, want 1", got)
	}
	leading.Store(true)
	if err := d.SetReplicas(testContext(t), "cpu", 3); err != nil {
		t.Errorf("SetReplicas while leading: %v", err)
	}
	if got := *getDeployment(t, c, ns, "sluice-cpu").Spec.Replicas; got != 3 {
		t.Errorf("spec.replicas after the leader's call = %d, want 3", got)
	}
}

// leaderFunc adapts a function to Leader.
type leaderFunc func() bool

func (f leaderFunc) IsLeader() bool { return f() }

func TestReplicas(t *testing.T) {
	c := newClient(t, apiServer(t))
	ns := newNamespace(t, c)
	dep := createDeployment(t, c, ns, "sluice-cpu", 3)
	d := newDriver(t, c, Options{Namespace: ns})

	ready, starting, err := d.Replicas(testContext(t), "cpu")
	if err != nil || ready != 0 || starting != 3 {
		t.Errorf("Replicas before any pod = %d, %d, %v; want 0, 3, nil", ready, starting, err)
	}
	// No controller-manager runs: write the status it would.
	dep.Status = appsv1.DeploymentStatus{Replicas: 3, ReadyReplicas: 2}
	if _, err := c.AppsV1().Deployments(ns).UpdateStatus(testContext(t), dep, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("UpdateStatus: %v", err)
	}
	ready, starting, err = d.Replicas(testContext(t), "cpu")
	if err != nil || ready != 2 || starting != 1 {
		t.Errorf("Replicas with 2 of 3 ready = %d, %d, %v; want 2, 1, nil", ready, starting, err)
	}
	if _, _, err := d.Replicas(testContext(t), "gpu"); !errors.Is(err, ErrUnknownPool) {
		t.Errorf("Replicas of a pool without Deployment = %v, want ErrUnknownPool", err)
	}
}

func TestReplicaCounts(t *testing.T) {
	tests := []struct {
		name          string
		spec          *int32
		status        appsv1.DeploymentStatus
		ready, starts int
	}{
		{"nil spec means one", nil, appsv1.DeploymentStatus{}, 0, 1},
		{"all ready", ptr.To[int32](2), appsv1.DeploymentStatus{Replicas: 2, ReadyReplicas: 2}, 2, 0},
		{"some starting", ptr.To[int32](5), appsv1.DeploymentStatus{Replicas: 3, ReadyReplicas: 1}, 1, 4},
		{"scaling down", ptr.To[int32](1), appsv1.DeploymentStatus{Replicas: 4, ReadyReplicas: 4}, 1, 0},
		{"scaled to zero", ptr.To[int32](0), appsv1.DeploymentStatus{Replicas: 1, ReadyReplicas: 1}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: tt.spec}, Status: tt.status}
			ready, starting := replicaCounts(d)
			if diff := cmp.Diff([2]int{tt.ready, tt.starts}, [2]int{ready, starting}); diff != "" {
				t.Errorf("replicaCounts [ready starting] (-want +got):\n%s", diff)
			}
		})
	}
}
