package app

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
)

// maxGRPCSendBytes bounds a gRPC answer, as the worker link bounds a
// batch's.
const maxGRPCSendBytes = 256 << 20

// edge is how serve meets the network: the limits of the configuration,
// TLS on the listeners and towards the workers, and the admin token. Build
// it with newEdge; it is immutable.
type edge struct {
	limits configs.Limits
	// clientTLS serves HTTP and gRPC; nil serves plaintext.
	clientTLS *tls.Config
	// adminTLS serves the admin listener; nil serves plaintext.
	adminTLS *tls.Config
	// workersTLS is what the router's worker clients speak; nil is
	// plaintext.
	workersTLS *tls.Config
	// adminToken is the SHA-256 of the admin token; nil leaves the admin
	// API open.
	adminToken *[sha256.Size]byte
	// adminHosts are the further names the admin API answers to
	// (admin.allowed_hosts).
	adminHosts []string
	log        *slog.Logger
}

// newEdge reads the certificates and the admin token cfg names, through
// secrets for the token; now paces the certificates' reloads. It fails if
// a file or secret is missing or malformed, so that serve stops before it
// starts anything. pre: cfg came from configs.Load or Parse (defaults
// filled, validated).
func newEdge(cfg *configs.Config, secrets configs.Secrets, now func() time.Time, log *slog.Logger) (edge, error) {
	e := edge{limits: cfg.Limits, adminHosts: cfg.Admin.AllowedHosts, log: log}
	var err error
	if e.clientTLS, e.adminTLS, err = serverTLS(cfg, now, log); err != nil {
		return edge{}, err
	}
	if e.workersTLS, err = workersTLS(cfg, now, log); err != nil {
		return edge{}, err
	}
	token, ok, err := cfg.AdminTokenHash(secrets)
	if err != nil {
		return edge{}, err
	}
	if ok {
		e.adminToken = &token
	}
	return e, nil
}

// gatewayLimits sets the gateway's per-call limits from the edge's.
func (e edge) gatewayLimits(o *gateway.Options) {
	o.MaxBodyBytes = e.limits.MaxBodyBytes
	o.MaxJSONDepth = e.limits.MaxJSONDepth
	o.MaxTensorElements = e.limits.MaxTensorElements
	o.MaxDeadline = e.limits.MaxDeadline
	o.BodyTimeout = e.limits.BodyTimeout
	o.WriteTimeout = e.limits.WriteTimeout
	o.MaxInFlight = e.limits.MaxInFlight
	o.MaxBodyBytesInFlight = e.limits.MaxBodyBytesInFlight
}

// grpcServer returns a gRPC server within the limits (message size,
// streams per connection), over TLS if the edge has it, that recovers
// from a handler's panic with INTERNAL.
func (e edge) grpcServer() *grpc.Server {
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(int(e.limits.MaxBodyBytes)),
		grpc.MaxSendMsgSize(maxGRPCSendBytes),
		grpc.MaxConcurrentStreams(uint32(e.limits.MaxConcurrentStreams)),
	}
	opts = append(opts, gateway.RecoverGRPC(e.log)...)
	if e.clientTLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(e.clientTLS)))
	}
	return grpc.NewServer(opts...)
}

// httpServer returns an HTTP server of h within the limits (header read
// and idle timeouts), over a copy of tc (which the server amends) unless
// tc is nil, tracking its connections in conns. It speaks HTTP/1.1 and
// HTTP/2 — over TLS by ALPN, and in clear text (h2c, with prior
// knowledge) without TLS — with at most limits.max_concurrent_streams
// streams per connection. Its own errors (failed handshakes, malformed
// requests) go to the edge's log at debug level.
func (e edge) httpServer(h http.Handler, tc *tls.Config, conns *connStates) *http.Server {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler: h, TLSConfig: tc.Clone(), Protocols: protocols,
		HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: int(min(e.limits.MaxConcurrentStreams, math.MaxInt32))},
		ReadHeaderTimeout: e.limits.ReadHeaderTimeout, IdleTimeout: e.limits.IdleTimeout,
		ConnState: conns.hook,
		ErrorLog:  slog.NewLogLogger(e.log.Handler(), slog.LevelDebug),
	}
}

// admin guards the admin API h, served on ln: from requests a web page
// could send (adminGuard), then with the token if the edge has one; a
// panic is answered 500.
func (e edge) admin(h http.Handler, ln net.Listener) http.Handler {
	if e.adminToken != nil {
		h = requireAdminToken(h, *e.adminToken)
	}
	var bound net.Addr
	if ln != nil {
		bound = ln.Addr()
	}
	return gateway.RecoverHTTP(e.log)(newAdminGuard(bound, e.adminHosts).wrap(h))
}

// serveHTTP serves s on ln, over TLS when s has a TLS configuration,
// until s shuts down.
func serveHTTP(s *http.Server, ln net.Listener) error {
	if s.TLSConfig != nil {
		return ignoreClosed(s.ServeTLS(ln, "", ""))
	}
	return ignoreClosed(s.Serve(ln))
}

// runListeners serves HTTP, gRPC and admin as e says until ctx is done,
// then stops them (servers.stop). The client listeners take at most
// limits.max_connections connections at once each. register, if not
// nil, adds more services to the gRPC listener; hints, if not nil, is
// told how to try the model sum.
func runListeners(ctx context.Context, gw *gateway.Gateway, ls listeners, admin http.Handler, register func(grpc.ServiceRegistrar), e edge, hints io.Writer, log *slog.Logger) error {
	s := servers{grpc: e.grpcServer(), httpConns: newConnStates(), adminConns: newConnStates()}
	gw.RegisterGRPC(s.grpc)
	if register != nil {
		register(s.grpc)
	}
	s.http = e.httpServer(gw.HTTPHandler(), e.clientTLS, s.httpConns)
	s.admin = e.httpServer(e.admin(admin, ls.admin), e.adminTLS, s.adminConns)

	g, gctx := errgroup.WithContext(ctx)
	if ls.http != nil {
		s.httpLn = limitConns(ls.http, e.limits.MaxConnections, s.httpConns)
		g.Go(func() error { return serveHTTP(s.http, s.httpLn) })
	}
	if ls.admin != nil {
		s.adminLn = ls.admin
		g.Go(func() error { return serveHTTP(s.admin, s.adminLn) })
	}
	if ls.grpc != nil {
		g.Go(func() error { return s.grpc.Serve(limitConns(ls.grpc, e.limits.MaxConnections, nil)) })
	}
	g.Go(func() error {
		<-gctx.Done()
		return s.stop(log)
	})
	log.Info("sluice is serving", slog.String("http", addr(ls.http)), slog.String("grpc", addr(ls.grpc)), slog.String("admin", addr(ls.admin)),
		slog.Bool("tls", e.clientTLS != nil), slog.Bool("admin_token", e.adminToken != nil))
	if _, ok := gw.Model("sum"); ok && ls.http != nil && hints != nil {
		fmt.Fprintf(hints, "\nTry it (once the workers are ready):\n\n  curl -s -XPOST %s://%s/v2/models/sum/infer \\\n    -d '{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6]}]}'\n\n", e.scheme(), ls.http.Addr())
	}
	return g.Wait()
}

// scheme is the URL scheme of the HTTP listener.
func (e edge) scheme() string {
	if e.clientTLS != nil {
		return "https"
	}
	return "http"
}

// ignoreClosed drops the error of a server stopped by Shutdown or by its
// listener's closing (servers.stop).
func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func addr(l net.Listener) string {
	if l == nil {
		return "off"
	}
	return l.Addr().String()
}
