package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
)

// drainer is the part of the gateway a graceful stop drives.
type drainer interface {
	Drain()
	Shutdown(ctx context.Context) (unfinished int, err error)
	InFlight() int
}

var _ drainer = (*gateway.Gateway)(nil)

// drainFirst returns a context that outlives parent — SIGTERM or SIGINT
// ending parent — by the gateway's drain (see drain), with the shutdown
// section in force then: only once it is over does the returned context
// end, which stops the listeners, then (as serve returns) the scaler and
// the workers. stop releases the context without draining; serve calls
// it on its way out.
func drainFirst(parent context.Context, gw drainer, shutdown func() configs.Shutdown, log *slog.Logger) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	unhook := context.AfterFunc(parent, func() {
		drain(gw, shutdown(), log)
		cancel()
	})
	return ctx, func() { unhook(); cancel() }
}

// drain turns gw not ready and refusing new calls (503 with "Connection:
// close", gRPC UNAVAILABLE) while the listeners stay open, gives the calls
// in progress s.DrainTimeout to finish (those left are answered 503),
// logs what became of them, and returns once they are answered and
// s.DrainDelay has passed since it began: load balancers and endpoint
// controllers that keep sending for a while get answers, not a closed
// port.
func drain(gw drainer, s configs.Shutdown, log *slog.Logger) {
	delay := time.NewTimer(s.DrainDelay)
	defer delay.Stop()
	gw.Drain()
	log.Info("stopping: not ready; new calls get 503 while the calls in progress drain",
		slog.Int("in_flight", gw.InFlight()), slog.Duration("drain_timeout", s.DrainTimeout), slog.Duration("drain_delay", s.DrainDelay))
	ctx, cancel := context.WithTimeout(context.Background(), s.DrainTimeout)
	defer cancel()
	start := time.Now()
	unfinished, err := gw.Shutdown(ctx)
	switch {
	case err == nil:
		log.Info("stopping: every call in progress was answered", slog.Duration("took", time.Since(start)))
	case errors.Is(err, context.DeadlineExceeded):
		log.Warn("stopping: drain timeout reached; the calls still in progress were answered 503",
			slog.Int("unfinished", unfinished), slog.Duration("drain_timeout", s.DrainTimeout))
	default:
		log.Error("stopping: drain", slog.Any("error", err), slog.Int("unfinished", unfinished))
	}
	<-delay.C
	log.Info("stopping: closing the listeners")
}
