package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/sluice-gateway/sluice/gateway"
)

// runListeners serves HTTP, gRPC and admin until ctx is done, then stops
// them gracefully within shutdownGrace. register, if not nil, adds more
// services to the gRPC listener.
func runListeners(ctx context.Context, gw *gateway.Gateway, ls listeners, admin http.Handler, register func(grpc.ServiceRegistrar), log *slog.Logger) error {
	grpcServer := grpc.NewServer(grpc.MaxRecvMsgSize(gateway.DefaultMaxBodyBytes), grpc.MaxSendMsgSize(gateway.DefaultMaxBodyBytes))
	gw.RegisterGRPC(grpcServer)
	if register != nil {
		register(grpcServer)
	}
	httpServer := &http.Server{Handler: gw.HTTPHandler(), ReadHeaderTimeout: 10 * time.Second}
	adminServer := &http.Server{Handler: admin, ReadHeaderTimeout: 10 * time.Second}

	g, gctx := errgroup.WithContext(ctx)
	if ls.http != nil {
		g.Go(func() error { return ignoreClosed(httpServer.Serve(ls.http)) })
	}
	if ls.admin != nil {
		g.Go(func() error { return ignoreClosed(adminServer.Serve(ls.admin)) })
	}
	if ls.grpc != nil {
		g.Go(func() error { return grpcServer.Serve(ls.grpc) })
	}
	g.Go(func() error {
		<-gctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		stopGRPC(grpcServer, shutdown)
		return errors.Join(httpServer.Shutdown(shutdown), adminServer.Shutdown(shutdown))
	})
	log.Info("sluice is serving", slog.String("http", addr(ls.http)), slog.String("grpc", addr(ls.grpc)), slog.String("admin", addr(ls.admin)))
	if _, ok := gw.Model("sum"); ok && ls.http != nil {
		fmt.Fprintf(os.Stderr, "\nTry it (once the workers are ready):\n\n  curl -s -XPOST http://%s/v2/models/sum/infer \\\n    -d '{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6]}]}'\n\n", ls.http.Addr())
	}
	return g.Wait()
}

// stopGRPC stops s gracefully, or at once when ctx ends first.
func stopGRPC(s *grpc.Server, ctx context.Context) {
	done := make(chan struct{})
	go func() { s.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.Stop()
	}
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
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
