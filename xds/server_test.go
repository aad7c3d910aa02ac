package xds

import (
	"context"
	"errors"
	"testing"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/google/go-cmp/cmp"
)

// versions returns the version of each resource kind of a flavor's
// current snapshot.
func versions(t *testing.T, s *Server, f Flavor) map[string]string {
	t.Helper()
	snap, ok := s.Snapshot(f)
	if !ok {
		t.Fatalf("no %s snapshot", f)
	}
	return map[string]string{
		"clusters":  snap.GetVersion(resource.ClusterType),
		"endpoints": snap.GetVersion(resource.EndpointType),
		"listeners": snap.GetVersion(resource.ListenerType),
		"routes":    snap.GetVersion(resource.RouteType),
	}
}

func newTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return New(ctx, opts)
}

// TestPublishVersions checks that versions only grow, that only the kinds
// that changed get a new one, and that nothing is published when nothing
// changed.
func TestPublishVersions(t *testing.T) {
	s := newTestServer(t, Options{})
	all := func(v string) map[string]string {
		return map[string]string{"clusters": v, "endpoints": v, "listeners": v, "routes": v}
	}
	steps := []struct {
		name    string
		edit    func(*View)
		want    string // Server.Version after the step
		wantEnv map[string]string
	}{
		{"first", func(*View) {}, "1", all("1")},
		{"same view", func(*View) {}, "1", all("1")},
		{"endpoint added", func(v *View) {
			v.Pools[0].Endpoints = append(v.Pools[0].Endpoints, Endpoint{ID: "gpu-2", HTTP: Address{"10.0.2.2", 9000}, Healthy: true})
		}, "2", map[string]string{"clusters": "1", "endpoints": "2", "listeners": "1", "routes": "1"}},
		{"weights moved", func(v *View) { v.Models[1].Weights["cpu"] = 5 }, "3",
			map[string]string{"clusters": "1", "endpoints": "2", "listeners": "1", "routes": "3"}},
		{"batched model's weights are not published", func(v *View) { v.Models[0].Weights = map[string]uint32{"cpu": 1} }, "3",
			map[string]string{"clusters": "1", "endpoints": "2", "listeners": "1", "routes": "3"}},
		{"pool resized", func(v *View) { v.Pools[0].MaxReplicas = 8 }, "4",
			map[string]string{"clusters": "4", "endpoints": "2", "listeners": "1", "routes": "3"}},
	}
	v := richView()
	for _, st := range steps {
		st.edit(&v)
		if err := s.Publish(cloneView(v)); err != nil {
			t.Fatalf("%s: Publish: %v", st.name, err)
		}
		if got := s.Version(); got != st.want {
			t.Errorf("%s: Version = %q, want %q", st.name, got, st.want)
		}
		if diff := cmp.Diff(st.wantEnv, versions(t, s, Envoy)); diff != "" {
			t.Errorf("%s: envoy versions (-want +got):\n%s", st.name, diff)
		}
	}
}

// cloneView copies the parts of a view the tests edit, so that a
// published view is never modified afterwards.
func cloneView(v View) View {
	v.Pools = append([]Pool(nil), v.Pools...)
	for i := range v.Pools {
		v.Pools[i].Endpoints = append([]Endpoint(nil), v.Pools[i].Endpoints...)
	}
	v.Models = append([]Model(nil), v.Models...)
	for i, m := range v.Models {
		w := map[string]uint32{}
		for k, n := range m.Weights {
			w[k] = n
		}
		v.Models[i].Weights = w
	}
	return v
}

func TestPublishInvalidKeepsLast(t *testing.T) {
	s := newTestServer(t, Options{})
	if err := s.Publish(richView()); err != nil {
		t.Fatal(err)
	}
	bad := richView()
	bad.Models[0].Tier = "nowhere"
	if err := s.Publish(bad); !errors.Is(err, ErrInvalidView) {
		t.Fatalf("Publish(bad) = %v, want ErrInvalidView", err)
	}
	if got := s.Version(); got != "1" {
		t.Errorf("Version after a failed publication = %q, want 1", got)
	}
}

// TestRunCoalesces checks the rate limit: the first view goes out at once,
// views within MinInterval of it are coalesced into one publication of the
// latest when the interval has passed, and a view equal to the last one is
// dropped.
func TestRunCoalesces(t *testing.T) {
	clk := newFakeClock()
	published := make(chan string, 8)
	s := newTestServer(t, Options{Clock: clk, MinInterval: time.Second, OnPublish: func(v string) { published <- v }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)

	s.Update(richView())
	expectPublished(t, published, "1")
	second, third := richView(), richView()
	second.Pools[0].Endpoints = nil
	third.Pools[0].Endpoints = second.Pools[0].Endpoints
	third.Pools[1].Endpoints = nil
	s.Update(second)
	s.Update(third)
	if d := <-clk.waits; d != time.Second {
		t.Fatalf("Run waits %v, want the whole MinInterval", d)
	}
	select {
	case v := <-published:
		t.Fatalf("version %s published within MinInterval", v)
	default:
	}
	clk.Advance(time.Second)
	expectPublished(t, published, "2")
	snap, _ := s.Snapshot(Envoy)
	if la := snap.GetResources(resource.EndpointType)["pool/cpu"].(*endpoint.ClusterLoadAssignment); len(la.GetEndpoints()) != 0 {
		t.Errorf("published pool/cpu with %d localities, want the latest view's none", len(la.GetEndpoints()))
	}
	s.Update(third)
	if s.takePendingForTest() {
		t.Error("a view equal to the last published one was kept pending")
	}
}

func expectPublished(t *testing.T, published <-chan string, want string) {
	t.Helper()
	select {
	case got := <-published:
		if got != want {
			t.Fatalf("published version %q, want %q", got, want)
		}
	case <-time.After(10 * time.Second): // a guard against a hang, not a wait
		t.Fatalf("version %q never published", want)
	}
}

func (s *Server) takePendingForTest() bool {
	_, ok := s.takePending()
	return ok
}

func envoyNode(id, cluster string) *core.Node {
	return &core.Node{Id: id, Cluster: cluster, UserAgentName: "envoy"}
}

func grpcNode(id string) *core.Node {
	return &core.Node{Id: id, UserAgentName: "gRPC Go"}
}

// TestGroups checks that every node group gets its flavor's snapshot,
// whether it connects before or after the first publication, and that a
// node is known while its stream is open.
func TestGroups(t *testing.T) {
	s := newTestServer(t, Options{})
	cb := s.callbacks()
	if err := cb.OnStreamRequest(1, &discovery.DiscoveryRequest{Node: envoyNode("e1", "edge")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.caches[Envoy].GetSnapshot("envoy/edge"); err == nil {
		t.Error("a snapshot was set before the first publication")
	}
	if err := s.Publish(richView()); err != nil {
		t.Fatal(err)
	}
	if err := cb.OnStreamDeltaRequest(2, &discovery.DeltaDiscoveryRequest{Node: grpcNode("g1")}); err != nil {
		t.Fatal(err)
	}
	for group, f := range map[string]Flavor{"envoy/edge": Envoy, "grpc/default": Proxyless} {
		snap, err := s.caches[f].GetSnapshot(group)
		if err != nil {
			t.Fatalf("group %s: %v", group, err)
		}
		if got := snap.GetVersion(resource.ClusterType); got != "1" {
			t.Errorf("group %s has version %q, want 1", group, got)
		}
	}
	if diff := cmp.Diff([]string{"envoy/edge", "grpc/default"}, s.Groups()); diff != "" {
		t.Errorf("Groups (-want +got):\n%s", diff)
	}
	d, err := s.DumpNode("g1")
	if err != nil || d.Group != "grpc/default" || d.Flavor != "grpc" {
		t.Errorf("DumpNode(g1) = group %q flavor %q, %v; want grpc/default, grpc", d.Group, d.Flavor, err)
	}
	cb.OnDeltaStreamClosed(2, grpcNode("g1"))
	if _, err := s.DumpNode("g1"); !errors.Is(err, ErrUnknownNode) {
		t.Errorf("DumpNode after close = %v, want ErrUnknownNode", err)
	}
}
