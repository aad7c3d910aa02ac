package state

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/sluice-gateway/sluice/budget"
	"github.com/sluice-gateway/sluice/quota"
)

// Keys of the shared state in Redis.
const (
	keyPrefix  = "sluice:"
	keyBuckets = keyPrefix + "rate:"   // + bucket key: a GCRA time, in µs
	keySpend   = keyPrefix + "spend:"  // + subject:window:start (Unix s): USD
	keyBudgets = keyPrefix + "budgets" // hash: tenant → JSON amounts
)

// spendKeep is how long a window's spend outlives the window in Redis.
const spendKeep = 24 * time.Hour

// DefaultProbeInterval is how often an unreachable Redis is tried again,
// where RedisOptions.ProbeEvery is 0.
const DefaultProbeInterval = time.Second

// RedisOptions say how to reach a Redis server.
type RedisOptions struct {
	// Address is the server's host:port.
	Address string
	// Password authenticates to the server; empty means none.
	Password string
	// TLS, if not nil, reaches the server over TLS.
	TLS *tls.Config
	// Timeout bounds connecting and each exchange; > 0.
	Timeout time.Duration
	// ProbeEvery is how often an unreachable server is tried again; 0
	// means DefaultProbeInterval.
	ProbeEvery time.Duration
	// Logger receives a line when the server becomes unreachable and when
	// it answers again; nil means slog.Default().
	Logger *slog.Logger
}

// Redis is a Store, and the token buckets of the rate limits, in a Redis
// server that every gateway replica shares. While the server cannot be
// reached it decides on local buckets and refuses spend and budgets with
// ErrUnavailable (the budget book keeps the spend pending); it probes the
// server until it answers. It is safe for concurrent use.
type Redis struct {
	client *redis.Client
	opts   RedisOptions
	log    *slog.Logger
	local  quota.Local

	up             atomic.Bool
	since          atomic.Pointer[time.Time]
	localDecisions atomic.Uint64
	outages        atomic.Uint64

	stop chan struct{}
	wg   sync.WaitGroup
}

// OpenRedis returns a Redis over the server opts names, and starts
// probing it. An unreachable server is no error: Redis starts deciding
// locally, and takes the server up when it answers.
func OpenRedis(opts RedisOptions) *Redis {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ProbeEvery <= 0 {
		opts.ProbeEvery = DefaultProbeInterval
	}
	quietRedisLog()
	r := &Redis{opts: opts, log: opts.Logger, stop: make(chan struct{})}
	r.client = redis.NewClient(&redis.Options{
		Addr: opts.Address, Password: opts.Password, TLSConfig: opts.TLS,
		DialTimeout: opts.Timeout, ReadTimeout: opts.Timeout, WriteTimeout: opts.Timeout,
		PoolTimeout: opts.Timeout, MaxRetries: -1, Protocol: 2, DisableIdentity: true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	r.up.Store(true)
	if err := r.ping(); err != nil {
		r.down(err)
	}
	r.wg.Go(r.probe)
	return r
}

// ping asks the server for a PONG within the timeout.
func (r *Redis) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), r.opts.Timeout)
	defer cancel()
	return r.client.Ping(ctx).Err()
}

// down takes the server down after err, once: it logs and counts the
// outage.
func (r *Redis) down(err error) {
	if !r.up.CompareAndSwap(true, false) {
		return
	}
	now := time.Now()
	r.since.Store(&now)
	r.outages.Add(1)
	r.log.Warn("state: redis unreachable; each replica now enforces rate limits on its own buckets and keeps spend until redis answers",
		slog.String("address", r.opts.Address), slog.Any("error", err))
}

// probe pings the server every ProbeEvery while it is down, until Close.
func (r *Redis) probe() {
	t := time.NewTicker(r.opts.ProbeEvery)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
		}
		if r.up.Load() || r.ping() != nil {
			continue
		}
		now := time.Now()
		r.since.Store(&now)
		r.up.Store(true)
		r.log.Info("state: redis reachable again; rate limits and spend are shared again",
			slog.String("address", r.opts.Address), slog.Uint64("local_decisions", r.localDecisions.Load()))
	}
}

// fail takes the server down after err, unless ctx ended first (the
// caller left, the server did not fail), and returns err.
func (r *Redis) fail(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		r.down(err)
	}
	return fmt.Errorf("state: redis %s: %w", r.opts.Address, err)
}

// Take takes one call from each of buckets, all or none, in Redis (on
// the server's clock; now is not used there), or at now in local buckets
// while the server cannot be reached. It implements gateway.Buckets.
func (r *Redis) Take(ctx context.Context, buckets []quota.Bucket, now time.Time) (refused int, wait time.Duration) {
	if r.up.Load() {
		refused, wait, err := r.take(ctx, buckets)
		if err == nil {
			return refused, wait
		}
		_ = r.fail(ctx, err)
	}
	r.localDecisions.Add(1)
	return r.local.Take(buckets, now)
}

// take runs the GCRA script over buckets.
func (r *Redis) take(ctx context.Context, buckets []quota.Bucket) (int, time.Duration, error) {
	keys := make([]string, len(buckets))
	args := make([]any, 0, 2*len(buckets))
	for i, b := range buckets {
		keys[i] = keyBuckets + b.Key
		t := b.Interval().Microseconds()
		args = append(args, max(t, 1), max(t, 1)*int64(max(b.Burst-1, 0)))
	}
	res, err := gcraScript.Run(ctx, r.client, keys, args...).Int64Slice()
	if err != nil {
		return 0, 0, err
	}
	if len(res) != 2 {
		return 0, 0, fmt.Errorf("gcra script answered %v", res)
	}
	return int(res[0]) - 1, time.Duration(res[1]) * time.Microsecond, nil
}

// AddSpend implements Store: one INCRBYFLOAT per delta, each window's
// counter kept until a day after the window ends, in one round trip.
func (r *Redis) AddSpend(ctx context.Context, deltas []budget.Delta) ([]float64, error) {
	if !r.up.Load() {
		return nil, ErrUnavailable
	}
	pipe := r.client.Pipeline()
	cmds := make([]*redis.FloatCmd, len(deltas))
	for i, d := range deltas {
		key := fmt.Sprintf("%s%s:%s:%d", keySpend, d.Subject, d.Window, d.Start.Unix())
		cmds[i] = pipe.IncrByFloat(ctx, key, d.USD)
		pipe.ExpireAt(ctx, key, d.Window.End(d.Start).Add(spendKeep))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, r.fail(ctx, err)
	}
	totals := make([]float64, len(cmds))
	for i, c := range cmds {
		totals[i] = c.Val()
	}
	return totals, nil
}

// Overrides implements Store.
func (r *Redis) Overrides(ctx context.Context) (map[string]budget.Amounts, error) {
	if !r.up.Load() {
		return nil, ErrUnavailable
	}
	all, err := r.client.HGetAll(ctx, keyBudgets).Result()
	if err != nil {
		return nil, r.fail(ctx, err)
	}
	out := make(map[string]budget.Amounts, len(all))
	for tenant, v := range all {
		var a budget.Amounts
		if err := json.Unmarshal([]byte(v), &a); err != nil || !a.Valid() {
			r.log.Error("state: ignoring a malformed budget in redis", slog.String("tenant", tenant), slog.String("value", v))
			continue
		}
		out[tenant] = a
	}
	return out, nil
}

// SaveOverride implements budget.OverrideStore; it fails with
// ErrUnavailable while the server cannot be reached.
func (r *Redis) SaveOverride(ctx context.Context, tenant string, b *budget.Amounts) error {
	if !r.up.Load() {
		return ErrUnavailable
	}
	var err error
	if b == nil {
		err = r.client.HDel(ctx, keyBudgets, tenant).Err()
	} else {
		v, _ := json.Marshal(*b) // Amounts always marshal
		err = r.client.HSet(ctx, keyBudgets, tenant, v).Err()
	}
	if err != nil {
		return r.fail(ctx, err)
	}
	return nil
}

// Health implements Store.
func (r *Redis) Health() Health {
	h := Health{Backend: "redis", Where: r.opts.Address, Up: r.up.Load(),
		LocalDecisions: r.localDecisions.Load(), Outages: r.outages.Load()}
	if t := r.since.Load(); t != nil {
		h.Since = *t
	}
	return h
}

// Close implements Store: it stops probing and closes the connections.
func (r *Redis) Close() error {
	close(r.stop)
	r.wg.Wait()
	if err := r.client.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		return fmt.Errorf("state: closing redis: %w", err)
	}
	return nil
}
