// Package xds is Sluice's Envoy control plane. It turns a View of the live
// topology — gateway replicas, pools and their endpoints, tiers, models and
// the router's weights — into xDS v3 resources and serves them over ADS and
// the separate CDS, EDS, LDS and RDS services, with go-control-plane's
// snapshot cache.
//
// Build is pure: a View and a version in, a snapshot out, every resource
// checked with its proto ValidateAll (embedded messages too) and every
// reference between resources checked, API listeners included. It builds
// one of two flavors:
//
//   - Envoy: a listener on View.Ingress whose routes send
//     /v2/models/{model}/... of batched models to the gateway cluster and
//     of pass-through models to the tier's pool clusters split by weight
//     (the header x-sluice-tier picks another tier), the gRPC service
//     inference.GRPCInferenceService to the gateway's gRPC cluster, and
//     everything else to the gateway; one EDS cluster per pool with outlier
//     detection, circuit breakers sized from the pool's capacity, a retry
//     budget, and active health checks on /v2/health/ready.
//   - Proxyless: for grpc-go clients dialing xds:///{model}, one API
//     listener per model with the same routing over the endpoints' gRPC
//     ports.
//
// A pool without endpoints (scaled to zero, or not started yet) is still
// published, as a cluster with an empty load assignment: requests routed to
// it fail fast, and its endpoints arrive by EDS alone once it has some.
//
// Server keeps one snapshot per node group. A node's group is
// "<flavor>/<cluster>" (GroupOf): the flavor from its user agent (grpc-go
// and other gRPC libraries send "gRPC ...", Envoy "envoy"), the cluster
// from node.cluster ("default" when unset). Groups of a flavor share one
// snapshot; a group seen for the first time gets it before its first watch
// opens. Update takes views from a poller and Run publishes them, at most
// one per MinInterval (bursts coalesce, the latest wins) so a change is
// out within MinInterval. Versions are increasing integers; a publication
// gives a new version only to the resource kinds that changed, and a view
// that changes no resource publishes nothing.
//
// The package knows nothing of the router, the gateway or the scaler: the
// caller adapts them into a View. It does no IO besides serving xDS.
package xds
