package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// msgInternal is what a client is told of a panic: nothing of the
// program's insides, which the log holds.
const msgInternal = "gateway: internal error; the server's log has the details"

// RecoverHTTP returns middleware that turns a panic in next into a 500
// answer with a JSON error, and logs the panic and its stack once, at
// error level, so that one bad request never takes the server down. An
// answer already started cannot be replaced: its connection is aborted
// instead, so the client sees a cut answer rather than a whole wrong
// one. http.ErrAbortHandler, a deliberate abort, passes through.
func RecoverHTTP(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			serveRecovering(log, &startedWriter{ResponseWriter: w}, r, next)
		})
	}
}

// serveRecovering is RecoverHTTP's handler: it serves r through sw, the
// server's writer wrapped.
func serveRecovering(log *slog.Logger, sw *startedWriter, r *http.Request, next http.Handler) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		log.Error("panic serving an HTTP request", "method", r.Method, "path", r.URL.Path,
			"panic", v, "stack", string(debug.Stack()))
		if sw.started {
			panic(http.ErrAbortHandler)
		}
		w := sw.ResponseWriter
		w.Header().Set("Connection", "close")
		writeError(w, http.StatusInternalServerError, msgInternal)
	}()
	next.ServeHTTP(sw, r)
}

// guardHTTP is RecoverHTTP, with the gateway's log, around slowClients:
// the two middlewares' state for a request takes one allocation.
func (g *Gateway) guardHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := &guarded{g: g, next: next, sw: startedWriter{ResponseWriter: w}}
		serveRecovering(g.log, &s.sw, r, s)
	})
}

// guarded is one request's state in guardHTTP; it serves the request
// within the recovery as slowClients does.
type guarded struct {
	g    *Gateway
	next http.Handler
	sw   startedWriter
	d    clientDeadlines
}

func (s *guarded) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.g.slowClients(&s.d, w, r, s.next)
}

// startedWriter records whether the answer has started.
type startedWriter struct {
	http.ResponseWriter
	started bool
}

func (w *startedWriter) WriteHeader(status int) {
	w.started = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *startedWriter) Write(p []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *startedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// RecoverGRPC returns the server options that turn a panic in a unary or
// streaming handler into an INTERNAL status, and log the panic and its
// stack once, at error level, so that one bad call never takes the
// server down. Give them to grpc.NewServer of every server the gateway
// registers on.
func RecoverGRPC(log *slog.Logger) []grpc.ServerOption {
	unary := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (_ any, err error) {
		defer recoverCall(log, info.FullMethod, &err)
		return next(ctx, req)
	}
	stream := func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, next grpc.StreamHandler) (err error) {
		defer recoverCall(log, info.FullMethod, &err)
		return next(srv, ss)
	}
	return []grpc.ServerOption{grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream)}
}

// recoverCall, deferred, turns a panic of the gRPC method's handler into
// an INTERNAL error in *err.
func recoverCall(log *slog.Logger, method string, err *error) {
	v := recover()
	if v == nil {
		return
	}
	log.Error("panic serving a gRPC call", "method", method, "panic", v, "stack", string(debug.Stack()))
	*err = status.Error(codes.Internal, msgInternal)
}
