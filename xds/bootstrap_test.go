package xds

import (
	"os"
	"testing"

	bootstrap "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	"github.com/goccy/go-yaml"
	"google.golang.org/protobuf/encoding/protojson"
)

// envoyBootstrap is the shipped Envoy bootstrap.
const envoyBootstrap = "../configs/envoy.yaml"

// loadBootstrap parses the shipped bootstrap into Envoy's own message,
// rejecting unknown fields, as Envoy does.
func loadBootstrap(t *testing.T) *bootstrap.Bootstrap {
	t.Helper()
	raw, err := os.ReadFile(envoyBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("%s: %v", envoyBootstrap, err)
	}
	b := &bootstrap.Bootstrap{}
	if err := protojson.Unmarshal(js, b); err != nil {
		t.Fatalf("%s: %v", envoyBootstrap, err)
	}
	return b
}

// TestEnvoyBootstrap checks that the shipped bootstrap is a valid Envoy v3
// bootstrap that takes listeners and clusters over ADS from a static
// cluster speaking HTTP/2, in the node group the docs name.
func TestEnvoyBootstrap(t *testing.T) {
	b := loadBootstrap(t)
	if err := b.ValidateAll(); err != nil {
		t.Fatalf("%s: %v", envoyBootstrap, err)
	}
	dr := b.GetDynamicResources()
	if dr.GetCdsConfig().GetAds() == nil || dr.GetLdsConfig().GetAds() == nil {
		t.Error("clusters and listeners must come over ADS")
	}
	services := dr.GetAdsConfig().GetGrpcServices()
	if len(services) != 1 {
		t.Fatalf("ADS has %d gRPC services, want 1", len(services))
	}
	xdsCluster := services[0].GetEnvoyGrpc().GetClusterName()
	found := false
	for _, c := range b.GetStaticResources().GetClusters() {
		if c.GetName() == xdsCluster {
			found = c.GetTypedExtensionProtocolOptions()[httpOptionsKey] != nil
		}
	}
	if !found {
		t.Errorf("no static cluster %q with explicit HTTP/2 options", xdsCluster)
	}
	if len(b.GetStaticResources().GetListeners()) != 0 {
		t.Error("listeners must all come from Sluice")
	}
	if got := GroupOf(b.GetNode()); got != "envoy/edge" {
		t.Errorf("node group %q, want envoy/edge", got)
	}
}
