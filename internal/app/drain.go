package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sluice-gateway/sluice/gateway"
)

// drainer is the part of the gateway a graceful stop drives.
type drainer interface {
	Shutdown(ctx context.Context) (unfinished int, err error)
	InFlight() int
}

var _ drainer = (*gateway.Gateway)(nil)

// drainFirst returns a context that outlives parent — SIGTERM or SIGINT
// ending parent — by the gateway's drain: once parent ends, the gateway
// turns not ready and refuses new calls while the listeners still answer
// them (503), the calls in progress get timeout() to finish, those left
// are answered 503, and only then does the returned context end, which
// stops the listeners, then (as serve returns) the scaler and the
// workers. stop releases the context without draining; serve calls it
// on its way out.
func drainFirst(parent context.Context, gw drainer, timeout func() time.Duration, log *slog.Logger) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	unhook := context.AfterFunc(parent, func() {
		drain(gw, timeout(), log)
		cancel()
	})
	return ctx, func() { unhook(); cancel() }
}

// drain shuts gw down within timeout and logs what became of the calls
// in progress.
func drain(gw drainer, timeout time.Duration, log *slog.Logger) {
	log.Info("stopping: draining the calls in progress",
		slog.Int("in_flight", gw.InFlight()), slog.Duration("drain_timeout", timeout))
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	unfinished, err := gw.Shutdown(ctx)
	switch {
	case err == nil:
		log.Info("stopping: every call in progress was answered", slog.Duration("took", time.Since(start)))
	case errors.Is(err, context.DeadlineExceeded):
		log.Warn("stopping: drain timeout reached; the calls still in progress were answered 503",
			slog.Int("unfinished", unfinished), slog.Duration("drain_timeout", timeout))
	default:
		log.Error("stopping: drain", slog.Any("error", err), slog.Int("unfinished", unfinished))
	}
}
