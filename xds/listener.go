package xds

import (
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routerfilter "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
)

// ingressListener returns the Envoy flavor's listener: HTTP (1.1 or 2, so
// gRPC too) on the ingress address, routed by IngressRoutes.
func ingressListener(v View, m *marshaler) *listener.Listener {
	return &listener.Listener{
		Name:    IngressListener,
		Address: socketAddress(v.ingress()),
		FilterChains: []*listener.FilterChain{{Filters: []*listener.Filter{{
			Name:       wellknown.HTTPConnectionManager,
			ConfigType: &listener.Filter_TypedConfig{TypedConfig: m.any(connectionManager(IngressRoutes, "ingress", m))},
		}}}},
	}
}

// apiListener returns the proxyless listener of one model, named after it
// so that grpc-go dialing xds:///{model} finds it.
func apiListener(md Model, m *marshaler) *listener.Listener {
	return &listener.Listener{
		Name:        md.Name,
		ApiListener: &listener.ApiListener{ApiListener: m.any(connectionManager(ModelRoutes(md.Name), md.Name, m))},
	}
}

// connectionManager returns an HTTP connection manager whose routes come
// over ADS under the name routes, with the router as its only filter.
func connectionManager(routes, statPrefix string, m *marshaler) *hcm.HttpConnectionManager {
	return &hcm.HttpConnectionManager{
		CodecType:  hcm.HttpConnectionManager_AUTO,
		StatPrefix: statPrefix,
		RouteSpecifier: &hcm.HttpConnectionManager_Rds{Rds: &hcm.Rds{
			ConfigSource:    adsSource(),
			RouteConfigName: routes,
		}},
		HttpFilters: []*hcm.HttpFilter{{
			Name:       wellknown.Router,
			ConfigType: &hcm.HttpFilter_TypedConfig{TypedConfig: m.any(&routerfilter.Router{})},
		}},
	}
}
