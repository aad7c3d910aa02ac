package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"google.golang.org/grpc"
)

// closeGrace bounds the listeners' own shutdown, which starts once the
// gateway has drained and the drain delay has passed (see drainFirst):
// by then every call has its answer, and what is left is writing them
// out to clients that read them, and closing idle connections.
const closeGrace = 2 * time.Second

// servers are the listeners' servers, with the connections of the HTTP
// ones tracked for their shutdown, and the HTTP ones' listeners (nil when
// off).
type servers struct {
	http, admin           *http.Server
	grpc                  *grpc.Server
	httpConns, adminConns *connStates
	httpLn, adminLn       net.Listener
}

// stop closes the listeners and waits up to closeGrace for the
// connections to finish their answers; then it closes those still open,
// logging how many were left with a request never completed (a body
// never sent, an answer never read). Those are the clients', not a
// failure of the stop: it returns only errors of the servers themselves.
//
// The HTTP listeners are closed before their servers shut down, and the
// connections they had accepted are given until they are quiet (none
// reading or serving a request) to send theirs: an http.Server that is
// shutting down closes, unanswered, a connection whose request it reads
// only then.
func (s servers) stop(log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	for _, ln := range []net.Listener{s.httpLn, s.adminLn} {
		if ln != nil {
			_ = ln.Close() // its server's Serve returns
		}
	}
	stopGRPC(s.grpc, ctx, log)
	waitQuiet(ctx, s.httpConns, s.adminConns)
	return errors.Join(stopHTTP(ctx, "http", s.http, s.httpConns, log), stopHTTP(ctx, "admin", s.admin, s.adminConns, log))
}

// quietPoll is how often waitQuiet looks at the connections.
const quietPoll = 10 * time.Millisecond

// waitQuiet returns once no connection of conns is reading or serving a
// request, or when ctx ends.
func waitQuiet(ctx context.Context, conns ...*connStates) {
	tick := time.NewTicker(quietPoll)
	defer tick.Stop()
	for {
		busy := 0
		for _, c := range conns {
			busy += c.busy()
		}
		if busy == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// stopHTTP shuts srv down gracefully until ctx ends, then closes the
// connections left, counting those that were busy. Its listener may
// already be closed.
func stopHTTP(ctx context.Context, name string, srv *http.Server, conns *connStates, log *slog.Logger) error {
	err := srv.Shutdown(ctx)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	busy := conns.busy()
	if err := srv.Close(); err != nil {
		return err
	}
	log.Warn("stopping: closed the connections whose request never completed", slog.String("listener", name),
		slog.Int("connections", busy), slog.Duration("grace", closeGrace))
	return nil
}

// stopGRPC stops s gracefully, or at once when ctx ends first, cutting
// the calls still open.
func stopGRPC(s *grpc.Server, ctx context.Context, log *slog.Logger) {
	done := make(chan struct{})
	go func() { s.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.Stop()
		log.Warn("stopping: closed the gRPC connections whose calls never completed", slog.Duration("grace", closeGrace))
	}
}
