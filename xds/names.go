package xds

// Names of the published resources. They are stable so that operators and
// tests can refer to them; a pool's cluster has the same name in both
// flavors (over HTTP ports for Envoy, gRPC ports for proxyless clients).
const (
	// IngressListener is the Envoy flavor's listener.
	IngressListener = "sluice-ingress"
	// IngressRoutes is the Envoy flavor's route configuration.
	IngressRoutes = "sluice-ingress"
	// GatewayHTTPCluster holds the gateway replicas' HTTP listeners (Envoy
	// flavor only).
	GatewayHTTPCluster = "gateway/http"
	// GatewayGRPCCluster holds the gateway replicas' gRPC listeners.
	GatewayGRPCCluster = "gateway/grpc"
	// TierHeader picks the tier of a request, overriding its model's.
	TierHeader = "x-sluice-tier"
	// ReadyPath is the OIP v2 readiness path Envoy health-checks.
	ReadyPath = "/v2/health/ready"
	// grpcServicePrefix is the path prefix of the OIP v2 gRPC service.
	grpcServicePrefix = "/inference.GRPCInferenceService/"
)

// PoolCluster returns the name of a pool's cluster and load assignment.
func PoolCluster(pool string) string { return "pool/" + pool }

// ModelRoutes returns the name of the route configuration a proxyless
// model's API listener refers to. The API listener itself is named after
// the model, since grpc-go asks for the listener named by the target
// (xds:///sum asks for "sum").
func ModelRoutes(model string) string { return "model/" + model }
