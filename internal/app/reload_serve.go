package app

import (
	"context"
	"log/slog"
)

// startLifecycle wires, around serve's running parts, the hot reload of
// the file of what cur holds (on SIGHUP, and on POST /admin/reload, which rl.withAdmin adds
// to an admin API) and the graceful stop (see drainFirst): the returned
// context, which the listeners run on, ends once the gateway has drained
// after ctx ended. What reads the configuration outside parts reads cur.
// stop releases both; serve calls it on its way out.
func startLifecycle(ctx context.Context, cur *current, parts servingParts, log *slog.Logger) (
	lctx context.Context, rl *reloader, stop func(), err error,
) {
	rl, err = newReloader(cur, parts, parts.metrics.reg, log)
	if err != nil {
		return nil, nil, nil, err
	}
	stopHUP := rl.onSIGHUP()
	lctx, stopDrain := drainFirst(ctx, parts.gateway, rl.shutdown, log)
	return lctx, rl, func() { stopDrain(); stopHUP() }, nil
}
