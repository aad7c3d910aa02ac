package kubernetes

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// slice builds an EndpointSlice of service with the given named ports.
func slice(name, service string, ports map[string]int32, endpoints ...discoveryv1.Endpoint) discoveryv1.EndpointSlice {
	s := discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: name, Labels: map[string]string{discoveryv1.LabelServiceName: service}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   endpoints,
	}
	for n, p := range ports {
		s.Ports = append(s.Ports, discoveryv1.EndpointPort{Name: ptr.To(n), Port: ptr.To(p)})
	}
	return s
}

// pod builds an endpoint of a pod; ready nil leaves the condition unknown.
func pod(name, addr string, ready *bool) discoveryv1.Endpoint {
	return discoveryv1.Endpoint{
		Addresses:  []string{addr},
		Conditions: discoveryv1.EndpointConditions{Ready: ready},
		TargetRef:  &corev1.ObjectReference{Kind: "Pod", Name: name},
	}
}

var workerPorts = map[string]int32{"http": 8000, "grpc": 8001}

func TestReadyEndpoints(t *testing.T) {
	yes, no := ptr.To(true), ptr.To(false)
	tests := []struct {
		name  string
		items []discoveryv1.EndpointSlice
		want  []Endpoint
	}{
		{name: "no slices", want: []Endpoint{}},
		{
			name: "ready and unknown count, not ready does not",
			items: []discoveryv1.EndpointSlice{slice("s1", "sluice-cpu", workerPorts,
				pod("cpu-b", "10.0.0.2", yes), pod("cpu-c", "10.0.0.3", no), pod("cpu-a", "10.0.0.1", nil))},
			want: []Endpoint{
				{ID: "cpu-a", Pool: "cpu", HTTP: "10.0.0.1:8000", GRPC: "10.0.0.1:8001"},
				{ID: "cpu-b", Pool: "cpu", HTTP: "10.0.0.2:8000", GRPC: "10.0.0.2:8001"},
			},
		},
		{
			name: "an endpoint in two slices counts once",
			items: []discoveryv1.EndpointSlice{
				slice("s1", "sluice-cpu", workerPorts, pod("cpu-a", "10.0.0.1", yes)),
				slice("s2", "sluice-cpu", workerPorts, pod("cpu-a", "10.0.0.1", yes), pod("cpu-b", "10.0.0.2", yes)),
			},
			want: []Endpoint{
				{ID: "cpu-a", Pool: "cpu", HTTP: "10.0.0.1:8000", GRPC: "10.0.0.1:8001"},
				{ID: "cpu-b", Pool: "cpu", HTTP: "10.0.0.2:8000", GRPC: "10.0.0.2:8001"},
			},
		},
		{
			name: "only an http port",
			items: []discoveryv1.EndpointSlice{slice("s1", "sluice-cpu", map[string]int32{"http": 80},
				pod("cpu-a", "10.0.0.1", yes))},
			want: []Endpoint{{ID: "cpu-a", Pool: "cpu", HTTP: "10.0.0.1:80"}},
		},
		{
			name: "no named port leaves the endpoint out",
			items: []discoveryv1.EndpointSlice{slice("s1", "sluice-cpu", map[string]int32{"metrics": 9090},
				pod("cpu-a", "10.0.0.1", yes))},
			want: []Endpoint{},
		},
		{
			name: "no address leaves the endpoint out",
			items: []discoveryv1.EndpointSlice{slice("s1", "sluice-cpu", workerPorts,
				discoveryv1.Endpoint{Conditions: discoveryv1.EndpointConditions{Ready: yes}})},
			want: []Endpoint{},
		},
		{
			name: "no pod reference: the address is the ID; IPv6 is bracketed",
			items: []discoveryv1.EndpointSlice{slice("s1", "sluice-cpu", workerPorts,
				discoveryv1.Endpoint{Addresses: []string{"fd00::1"}})},
			want: []Endpoint{{ID: "fd00::1", Pool: "cpu", HTTP: "[fd00::1]:8000", GRPC: "[fd00::1]:8001"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readyEndpoints("cpu", tt.items, "http", "grpc")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("readyEndpoints (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEndpoints lists EndpointSlices from the real API server: only those
// of the pool's Service count, with the port names the options give.
func TestEndpoints(t *testing.T) {
	c := newClient(t, apiServer(t))
	ns := newNamespace(t, c)
	yes, no := ptr.To(true), ptr.To(false)
	ports := map[string]int32{"web": 8000, "rpc": 8001}
	for _, s := range []discoveryv1.EndpointSlice{
		slice("cpu-1", "pool-cpu", ports, pod("cpu-a", "10.0.0.1", yes), pod("cpu-b", "10.0.0.2", no)),
		slice("cpu-2", "pool-cpu", ports, pod("cpu-c", "10.0.0.3", nil)),
		slice("gpu-1", "pool-gpu", ports, pod("gpu-a", "10.0.1.1", yes)),
	} {
		if _, err := c.DiscoveryV1().EndpointSlices(ns).Create(testContext(t), &s, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create endpointslice %s: %v", s.Name, err)
		}
	}
	d := newDriver(t, c, Options{
		Namespace:  ns,
		Deployment: func(pool string) string { return "pool-" + pool },
		HTTPPort:   "web",
		GRPCPort:   "rpc",
	})
	tests := []struct {
		pool string
		want []Endpoint
	}{
		{"cpu", []Endpoint{
			{ID: "cpu-a", Pool: "cpu", HTTP: "10.0.0.1:8000", GRPC: "10.0.0.1:8001"},
			{ID: "cpu-c", Pool: "cpu", HTTP: "10.0.0.3:8000", GRPC: "10.0.0.3:8001"},
		}},
		{"gpu", []Endpoint{{ID: "gpu-a", Pool: "gpu", HTTP: "10.0.1.1:8000", GRPC: "10.0.1.1:8001"}}},
		{"spot", []Endpoint{}},
	}
	for _, tt := range tests {
		t.Run(tt.pool, func(t *testing.T) {
			got, err := d.Endpoints(testContext(t), tt.pool)
			if err != nil {
				t.Fatalf("Endpoints(%q): %v", tt.pool, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Endpoints(%q) (-want +got):\n%s", tt.pool, diff)
			}
		})
	}
}
