package xds

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	clusterservice "github.com/envoyproxy/go-control-plane/envoy/service/cluster/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
)

// serveXDS serves s on a loopback port and returns a client connection.
func serveXDS(t *testing.T, s *Server) *grpc.ClientConn {
	t.Helper()
	gs := grpc.NewServer()
	s.Register(gs)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go gs.Serve(lis)
	t.Cleanup(gs.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// stream is the client side of a state-of-the-world xDS stream.
type stream interface {
	Send(*discovery.DiscoveryRequest) error
	Recv() (*discovery.DiscoveryResponse, error)
}

// exchange sends req and returns the next response, which must be of
// req's type.
func exchange(t *testing.T, s stream, req *discovery.DiscoveryRequest) *discovery.DiscoveryResponse {
	t.Helper()
	if err := s.Send(req); err != nil {
		t.Fatal(err)
	}
	return recvType(t, s, req.GetTypeUrl())
}

func recvType(t *testing.T, s stream, typeURL string) *discovery.DiscoveryResponse {
	t.Helper()
	resp, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetTypeUrl() != typeURL {
		t.Fatalf("got a %s response, want %s", resp.GetTypeUrl(), typeURL)
	}
	return resp
}

// ack acknowledges resp and, in the same request, subscribes to names.
func ack(resp *discovery.DiscoveryResponse, names ...string) *discovery.DiscoveryRequest {
	return &discovery.DiscoveryRequest{TypeUrl: resp.GetTypeUrl(), VersionInfo: resp.GetVersionInfo(), ResponseNonce: resp.GetNonce(), ResourceNames: names}
}

// resourceNames returns the sorted names of a response's resources.
func resourceNames(t *testing.T, resp *discovery.DiscoveryResponse) []string {
	t.Helper()
	var out []string
	for _, a := range resp.GetResources() {
		m, err := a.UnmarshalNew()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, nameOf(m))
	}
	slices.Sort(out)
	return out
}

func nameOf(m proto.Message) string {
	switch m := m.(type) {
	case interface{ GetClusterName() string }:
		return m.GetClusterName()
	case interface{ GetName() string }:
		return m.GetName()
	}
	return ""
}

// TestEnvoyOverADS plays Envoy's side of ADS with the node of the shipped
// bootstrap: wildcard clusters, their endpoints, wildcard listeners, their
// routes; then a change of endpoints alone pushes endpoints alone.
func TestEnvoyOverADS(t *testing.T) {
	s := newTestServer(t, Options{})
	if err := s.Publish(richView()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ads, err := discovery.NewAggregatedDiscoveryServiceClient(serveXDS(t, s)).StreamAggregatedResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	node := proto.Clone(loadBootstrap(t).GetNode()).(*core.Node)
	node.UserAgentName = "envoy"

	clusters := []string{"gateway/grpc", "gateway/http", "pool/cpu", "pool/gpu", "pool/spare"}
	cds := exchange(t, ads, &discovery.DiscoveryRequest{Node: node, TypeUrl: resource.ClusterType})
	checkNames(t, "clusters", clusters, resourceNames(t, cds))
	if err := ads.Send(ack(cds)); err != nil {
		t.Fatal(err)
	}
	eds := exchange(t, ads, &discovery.DiscoveryRequest{TypeUrl: resource.EndpointType, ResourceNames: clusters})
	checkNames(t, "endpoints", clusters, resourceNames(t, eds))
	lds := exchange(t, ads, &discovery.DiscoveryRequest{TypeUrl: resource.ListenerType})
	checkNames(t, "listeners", []string{IngressListener}, resourceNames(t, lds))
	rds := exchange(t, ads, &discovery.DiscoveryRequest{TypeUrl: resource.RouteType, ResourceNames: []string{IngressRoutes}})
	checkNames(t, "routes", []string{IngressRoutes}, resourceNames(t, rds))
	for _, r := range []*discovery.DiscoveryResponse{eds, lds, rds} {
		if err := ads.Send(ack(r, resourceNamesOrNil(t, r)...)); err != nil {
			t.Fatal(err)
		}
	}

	v := cloneView(richView())
	v.Pools[2].Endpoints = []Endpoint{{ID: "spare-1", HTTP: Address{"10.0.3.1", 9000}, Healthy: true}}
	if err := s.Publish(v); err != nil {
		t.Fatal(err)
	}
	next := recvType(t, ads, resource.EndpointType) // ADS orders clusters first: none were sent
	if next.GetVersionInfo() != "2" {
		t.Errorf("endpoints pushed at version %q, want 2", next.GetVersionInfo())
	}
}

// resourceNamesOrNil returns the names to keep subscribed to when
// acknowledging r: none for the wildcard kinds.
func resourceNamesOrNil(t *testing.T, r *discovery.DiscoveryResponse) []string {
	if r.GetTypeUrl() == resource.ListenerType {
		return nil
	}
	return resourceNames(t, r)
}

func checkNames(t *testing.T, kind string, want, got []string) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", kind, diff)
	}
}

// TestSeparateService checks the non-aggregated CDS service, and that a
// proxyless node gets the proxyless clusters there.
func TestSeparateService(t *testing.T) {
	s := newTestServer(t, Options{})
	if err := s.Publish(richView()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cds, err := clusterservice.NewClusterDiscoveryServiceClient(serveXDS(t, s)).StreamClusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"gateway/grpc", "pool/cpu", "pool/gpu", "pool/spare"}
	resp := exchange(t, cds, &discovery.DiscoveryRequest{Node: grpcNode("g1"), TypeUrl: resource.ClusterType, ResourceNames: names})
	checkNames(t, "clusters", names, resourceNames(t, resp))
}
