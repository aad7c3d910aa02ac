// Package kubernetes is the scaler's Kubernetes driver: it runs each pool
// as one Deployment of `sluice worker`, sizes the pool through the
// Deployment's scale subresource, and reads the pool's ready endpoints from
// the EndpointSlices of the pool's Service.
//
// By default pool "cpu" is Deployment "sluice-cpu", and Service
// "sluice-cpu" names the workers' ports "http" and "grpc" (Options). The
// example manifests in configs/kubernetes follow these names and grant the
// gateway's ServiceAccount exactly what the package uses:
//
//	deployments          get
//	deployments/scale    get, update
//	endpointslices       list, watch
//	leases               get, create, update
//
// Several gateway replicas may run at once; an Elector keeps one of them
// leader through a coordination.k8s.io Lease, and a Driver whose
// Options.Leader is that Elector scales only while it leads, returning
// ErrNotLeader otherwise. Reading replicas and endpoints is never gated.
//
// The package talks to the API server and does nothing else: it decides
// neither how many replicas a pool needs (package scaler does) nor how
// requests are routed. It keeps no cache; each call reads the API server,
// which suits a scaler that reads a few objects every tick.
package kubernetes
