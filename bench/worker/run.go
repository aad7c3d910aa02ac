package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"google.golang.org/grpc"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// Announcement is the one JSON line Run writes once it listens, naming the
// bound addresses as host:port: {"http":"127.0.0.1:8001","grpc":"127.0.0.1:8002"}.
type Announcement struct {
	HTTP string `json:"http"`
	GRPC string `json:"grpc"`
}

// Run creates a Server from opts, listens on the TCP addresses listenHTTP
// and listenGRPC (port 0 picks a free port), writes one Announcement line
// to announce (skipped when nil), and serves until ctx is done, then shuts
// down as Serve does. It returns nil after a clean shutdown.
func Run(ctx context.Context, opts Options, listenHTTP, listenGRPC string, announce io.Writer) error {
	s, err := New(opts)
	if err != nil {
		return err
	}
	return s.listenAndServe(ctx, listenHTTP, listenGRPC, announce)
}

// listenAndServe listens on listenHTTP and listenGRPC and serves there as
// Run does.
func (s *Server) listenAndServe(ctx context.Context, listenHTTP, listenGRPC string, announce io.Writer) error {
	httpLn, grpcLn, err := listenBoth(listenHTTP, listenGRPC)
	if err != nil {
		return err
	}
	return s.announceAndServe(ctx, httpLn, grpcLn, announce)
}

// listenBoth listens on the TCP addresses listenHTTP and listenGRPC.
func listenBoth(listenHTTP, listenGRPC string) (httpLn, grpcLn net.Listener, err error) {
	httpLn, err = net.Listen("tcp", listenHTTP)
	if err != nil {
		return nil, nil, fmt.Errorf("worker: listen http %q: %w", listenHTTP, err)
	}
	grpcLn, err = net.Listen("tcp", listenGRPC)
	if err != nil {
		httpLn.Close()
		return nil, nil, fmt.Errorf("worker: listen grpc %q: %w", listenGRPC, err)
	}
	return httpLn, grpcLn, nil
}

// announceAndServe writes one Announcement line of the listeners'
// addresses to announce (skipped when nil) and serves on them until ctx
// is done; it takes ownership of both listeners.
func (s *Server) announceAndServe(ctx context.Context, httpLn, grpcLn net.Listener, announce io.Writer) error {
	a := Announcement{HTTP: httpLn.Addr().String(), GRPC: grpcLn.Addr().String()}
	if err := writeAnnouncement(announce, a); err != nil {
		httpLn.Close()
		grpcLn.Close()
		return err
	}
	return s.Serve(ctx, httpLn, grpcLn)
}

func writeAnnouncement(w io.Writer, a Announcement) error {
	if w == nil {
		return nil
	}
	line, err := json.Marshal(a)
	if err == nil {
		_, err = w.Write(append(line, '\n'))
	}
	if err != nil {
		return fmt.Errorf("worker: announce: %w", err)
	}
	return nil
}

// Serve serves Handler on httpLn and GRPCService on grpcLn until ctx is
// done or either server fails; it takes ownership of both listeners. When
// ctx is done it stops accepting, lets in-flight requests finish for up to
// the grace (Options.Grace, real time), then closes what is left. It
// returns nil after a clean shutdown, or the serving and shutdown errors
// joined.
func (s *Server) Serve(ctx context.Context, httpLn, grpcLn net.Listener) error {
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: readHeaderTimeout}
	gs := grpc.NewServer(grpc.MaxRecvMsgSize(MaxRequestBytes))
	inferencepb.RegisterGRPCInferenceServiceServer(gs, s.GRPCService())
	done := make(chan error, 2)
	go func() { done <- ignoreStopped(hs.Serve(httpLn)) }()
	go func() { done <- ignoreStopped(gs.Serve(grpcLn)) }()
	s.log.Info("worker: serving", "name", s.name, "http", httpLn.Addr().String(), "grpc", grpcLn.Addr().String())

	pending := 2
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-done:
		pending--
	}
	s.log.Info("worker: shutting down", "name", s.name, "grace", s.grace)
	errs := []error{serveErr, s.shutdown(hs, gs)}
	for ; pending > 0; pending-- {
		errs = append(errs, <-done)
	}
	err := errors.Join(errs...)
	s.log.Info("worker: stopped", "name", s.name, "clean", err == nil)
	return err
}

// shutdown stops both servers gracefully, forcing them after the grace.
func (s *Server) shutdown(hs *http.Server, gs *grpc.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.grace)
	defer cancel()
	grpcStopped := make(chan struct{})
	go func() {
		gs.GracefulStop()
		close(grpcStopped)
	}()
	var err error
	if herr := hs.Shutdown(ctx); herr != nil {
		hs.Close()
		err = fmt.Errorf("worker: http shutdown: %w", herr)
	}
	select {
	case <-grpcStopped:
	case <-ctx.Done():
		gs.Stop()
		<-grpcStopped
		err = errors.Join(err, fmt.Errorf("worker: grpc shutdown: grace %v exceeded", s.grace))
	}
	return err
}

// ignoreStopped drops the errors the servers return after being stopped.
func ignoreStopped(err error) error {
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return err
}
