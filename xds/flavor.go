package xds

import (
	"fmt"
	"strings"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
)

// Flavor is the kind of xDS client a snapshot is built for. The two kinds
// need different resources: Envoy serves HTTP on a listener it binds and
// health-checks its upstreams itself, while a proxyless gRPC client asks
// for one API listener per target and reaches upstreams over gRPC. Envoy
// must not be sent API listeners (it accepts them from its bootstrap only),
// so each flavor gets its own snapshot.
type Flavor int

const (
	// Envoy is an Envoy proxy: one HTTP listener on View.Ingress whose
	// routes cover the REST API and inference.GRPCInferenceService,
	// clusters over the endpoints' HTTP ports (the gateway's gRPC port for
	// gRPC), with active health checks.
	Envoy Flavor = iota
	// Proxyless is a gRPC client dialing xds:///<model>: one API listener
	// per model, clusters over the endpoints' gRPC ports.
	Proxyless
)

// Flavors lists every flavor, in the order snapshots are built and dumped.
// It must not be modified.
var Flavors = []Flavor{Envoy, Proxyless}

// String returns "envoy" or "grpc".
func (f Flavor) String() string {
	switch f {
	case Envoy:
		return "envoy"
	case Proxyless:
		return "grpc"
	}
	return fmt.Sprintf("Flavor(%d)", int(f))
}

// DefaultNodeCluster is the group name of a node that sets no cluster.
const DefaultNodeCluster = "default"

// FlavorOf returns the flavor of a node: Proxyless when its user agent
// starts with "gRPC" (grpc-go sends "gRPC Go", grpc-java "gRPC Java"),
// Envoy otherwise. A nil node is an Envoy.
func FlavorOf(node *core.Node) Flavor {
	if strings.HasPrefix(node.GetUserAgentName(), "gRPC") {
		return Proxyless
	}
	return Envoy
}

// GroupOf returns the node group that node belongs to: its flavor and its
// cluster, as "<flavor>/<cluster>" ("envoy/edge", "grpc/default"). Every
// node of a group gets the same snapshot; the groups of one flavor get
// identical resources, so a group exists to let operators see which fleets
// are connected (Server.Groups) and to address them apart later. A node
// without a cluster is in DefaultNodeCluster. GroupOf is the snapshot
// cache's node hash.
func GroupOf(node *core.Node) string {
	cluster := node.GetCluster()
	if cluster == "" {
		cluster = DefaultNodeCluster
	}
	return FlavorOf(node).String() + "/" + cluster
}

// groupHash adapts GroupOf to the snapshot cache's NodeHash.
type groupHash struct{}

func (groupHash) ID(node *core.Node) string { return GroupOf(node) }
