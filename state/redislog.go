package state

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"
)

var quietOnce sync.Once

// quietRedisLog sends go-redis's own log lines (a refused dial, a broken
// connection: what Redis reports as unreachable once) to slog at debug
// level, instead of the standard error. The library's logger is one for
// the process.
func quietRedisLog() { quietOnce.Do(func() { redis.SetLogger(debugLog{}) }) }

type debugLog struct{}

func (debugLog) Printf(ctx context.Context, format string, v ...any) {
	slog.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
