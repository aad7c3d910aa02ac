package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/xds"
)

// xdsPollInterval is how often the control plane reads the router's
// topology. With the xDS server's rate limit (xds.DefaultMinInterval) a
// change reaches clients within half a second.
const xdsPollInterval = 250 * time.Millisecond

// XDSPath is where the admin listener serves the current xDS snapshots,
// which `sluice xds dump` reads.
const XDSPath = "/admin/xds"

// controlPlane is the xDS server of serve. The zero value is a control
// plane that is off (listen.xds empty): its methods do nothing.
type controlPlane struct {
	// bound is the address the xDS listener is bound to.
	bound  string
	srv    *xds.Server
	gs     *grpc.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startControlPlane serves xDS on the listen.xds of current() (a setting
// read only at start), publishing the router's topology under the
// configuration current returns at each poll, until stop is called: a
// reload that adds or removes a pool, or changes a price, is published
// within xdsPollInterval. current must be safe for concurrent use and
// never return nil. gw holds the addresses the gateway actually bound.
func startControlPlane(current func() *inForce, rt *router.Router, gw gatewayAddrs, log *slog.Logger) (*controlPlane, error) {
	addr := current().cfg.Listen.XDS
	if addr == "" {
		return &controlPlane{}, nil
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cp := &controlPlane{bound: lis.Addr().String(), srv: xds.New(ctx, xds.Options{Logger: log}), gs: xdsGRPCServer(), cancel: cancel}
	cp.srv.Register(cp.gs)
	view := func() (xds.View, error) { return liveView(current(), gw, routerEndpoints(rt)) }
	cp.spawn(func() { cp.srv.Run(ctx) })
	cp.spawn(func() { pollTopology(ctx, cp.srv, view, log) })
	cp.spawn(func() {
		if err := cp.gs.Serve(lis); err != nil {
			log.Error("xds server stopped", slog.Any("error", err))
		}
	})
	log.Info("xds control plane is serving", slog.String("addr", lis.Addr().String()))
	return cp, nil
}

func (cp *controlPlane) spawn(f func()) {
	cp.wg.Add(1)
	go func() { defer cp.wg.Done(); f() }()
}

// xdsGRPCServer returns a gRPC server for long-lived xDS streams: clients
// may ping every 15 s even without streams open.
func xdsGRPCServer() *grpc.Server {
	return grpc.NewServer(
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 15 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 5 * time.Second}),
	)
}

// routerEndpoints reads a pool's workers from the router.
func routerEndpoints(rt *router.Router) func(string) []router.EndpointState {
	return func(pool string) []router.EndpointState {
		if p := rt.Pool(pool); p != nil {
			return p.Endpoints()
		}
		return nil
	}
}

// pollTopology hands the server the current view every xdsPollInterval
// until ctx is done; the server publishes only what changed.
func pollTopology(ctx context.Context, srv *xds.Server, view func() (xds.View, error), log *slog.Logger) {
	t := time.NewTicker(xdsPollInterval)
	defer t.Stop()
	for {
		if v, err := view(); err != nil {
			log.Error("xds: reading the topology", slog.Any("error", err))
		} else {
			srv.Update(v)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// withAdmin adds GET /admin/xds to the admin handler h when the control
// plane is on.
func (cp *controlPlane) withAdmin(h http.Handler) http.Handler {
	if cp.srv == nil {
		return h
	}
	mux := http.NewServeMux()
	mux.Handle(XDSPath, cp.srv.Handler())
	mux.Handle("/", h)
	return mux
}

// addr returns the address the control plane serves on; "" when it is
// off.
func (cp *controlPlane) addr() string { return cp.bound }

// stop ends the xDS streams at once (they never finish by themselves) and
// waits for the control plane's goroutines.
func (cp *controlPlane) stop() {
	if cp.srv == nil {
		return
	}
	cp.cancel()
	cp.gs.Stop()
	cp.wg.Wait()
}

// addrOf returns a listener's address, or "" for a listener that is off.
func addrOf(l net.Listener) string {
	if l == nil {
		return ""
	}
	return l.Addr().String()
}
