package gateway

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/sluice-gateway/sluice/quota"
)

// Limit is a token bucket: Rate calls per second on average, bursts of up
// to Burst calls.
type Limit struct {
	// Rate is in calls per second; > 0 and finite.
	Rate float64
	// Burst is the bucket's size; >= 1.
	Burst int
}

// RateLimits caps the rate of calls per tenant and per model, each with its
// own token bucket. A call takes one token from its tenant's bucket and
// one from its model's; a tenant or model without a limit is not capped.
// A call refused by either bucket takes no token from the other.
//
// RateLimits is safe for concurrent use. A nil *RateLimits allows every
// call.
type RateLimits struct {
	tenants, models map[string]*rate.Limiter
	// shared, when not nil, holds the buckets instead of the limiters.
	shared *sharedLimits
}

// Buckets holds token buckets that every gateway replica shares (the
// state store's), so that a tenant's rate is its rate through all of
// them. Implementations decide at once, locally, when they cannot reach
// the buckets: a call is never failed for that.
type Buckets interface {
	// Take takes one call from each of buckets at now, from all or none.
	// It returns -1 and 0 when every bucket admits the call; otherwise
	// the index of the bucket that admits it last, and how long after
	// now that is.
	Take(ctx context.Context, buckets []quota.Bucket, now time.Time) (refused int, wait time.Duration)
}

// sharedLimits are the buckets of RateLimits in a Buckets store.
type sharedLimits struct {
	store           Buckets
	tenants, models map[string]quota.Bucket
}

// NewRateLimits returns the limits of the named tenants and models. It
// fails, with an error matching ErrBadOptions, for a limit whose rate is
// not > 0 and finite or whose burst is < 1.
func NewRateLimits(tenants, models map[string]Limit) (*RateLimits, error) {
	l := &RateLimits{}
	var err error
	if l.tenants, err = limiters("tenant", tenants); err != nil {
		return nil, err
	}
	if l.models, err = limiters("model", models); err != nil {
		return nil, err
	}
	return l, nil
}

// Shared returns limits of the same rates and bursts as l whose buckets
// live in store, under the keys "tenant:NAME" and "model:NAME"; nil when l
// is nil. l is not modified.
func (l *RateLimits) Shared(store Buckets) *RateLimits {
	if l == nil {
		return nil
	}
	return &RateLimits{tenants: l.tenants, models: l.models, shared: &sharedLimits{
		store: store, tenants: buckets("tenant:", l.tenants), models: buckets("model:", l.models),
	}}
}

// buckets returns the bucket of each limiter, its key prefix followed by
// its name.
func buckets(prefix string, lims map[string]*rate.Limiter) map[string]quota.Bucket {
	out := make(map[string]quota.Bucket, len(lims))
	for name, lim := range lims {
		out[name] = quota.Bucket{Key: prefix + name, Rate: float64(lim.Limit()), Burst: lim.Burst()}
	}
	return out
}

// take is Allow with the shared buckets when l has them; ctx bounds the
// exchange with their store.
func (l *RateLimits) take(ctx context.Context, tenant, model string, now time.Time) error {
	if l == nil {
		return nil
	}
	if l.shared == nil {
		return l.Allow(tenant, model, now)
	}
	return l.shared.take(ctx, tenant, model, now)
}

// take takes a call of tenant to model from the shared buckets.
func (s *sharedLimits) take(ctx context.Context, tenant, model string, now time.Time) error {
	var arr [2]quota.Bucket
	bs := arr[:0]
	if b, ok := s.tenants[tenant]; ok {
		bs = append(bs, b)
	}
	if b, ok := s.models[model]; ok {
		bs = append(bs, b)
	}
	if len(bs) == 0 {
		return nil
	}
	i, wait := s.store.Take(ctx, bs, now)
	if i < 0 {
		return nil
	}
	kind, name, _ := strings.Cut(bs[i].Key, ":")
	return &retryError{
		err:   fmt.Errorf("%w: %s %q is over %v calls/s (burst %d)", ErrRateLimited, kind, name, bs[i].Rate, bs[i].Burst),
		after: wait,
	}
}

func limiters(kind string, limits map[string]Limit) (map[string]*rate.Limiter, error) {
	out := make(map[string]*rate.Limiter, len(limits))
	for name, l := range limits {
		if !(l.Rate > 0) || math.IsInf(l.Rate, 1) || l.Burst < 1 {
			return nil, fmt.Errorf("%w: %s %q: rate %v must be > 0 and finite, burst %d >= 1", ErrBadOptions, kind, name, l.Rate, l.Burst)
		}
		out[name] = rate.NewLimiter(rate.Limit(l.Rate), l.Burst)
	}
	return out, nil
}

// Allow takes a token for one call of tenant to model at time now, which
// must not go backwards by much (see rate.Limiter). Over a limit, it
// returns an error matching ErrRateLimited that names the tenant or model
// and carries the time until a token will be available; the gateway sends
// that as Retry-After (HTTP) and RetryInfo (gRPC).
func (l *RateLimits) Allow(tenant, model string, now time.Time) error {
	if l == nil {
		return nil
	}
	tl, ml := l.tenants[tenant], l.models[model]
	switch {
	case ml == nil:
		return allow(tl, now, "tenant", tenant)
	case tl == nil:
		return allow(ml, now, "model", model)
	}
	t, err := take(tl, now, "tenant", tenant)
	if err != nil {
		return err
	}
	if _, err := take(ml, now, "model", model); err != nil {
		if t != nil {
			t.CancelAt(now)
		}
		return err
	}
	return nil
}

// allow takes a token of lim at now for a call under that one limiter,
// as take does, but reserves one (an allocation) only to tell a refused
// call how long to wait. A nil lim allows the call.
func allow(lim *rate.Limiter, now time.Time, kind, name string) error {
	if lim == nil || lim.AllowN(now, 1) {
		return nil
	}
	_, err := take(lim, now, kind, name)
	return err
}

// take reserves a token of lim at now, or cancels the reservation and
// returns the rate-limit error when the token is not there yet. A nil lim
// allows the call and returns a nil reservation.
func take(lim *rate.Limiter, now time.Time, kind, name string) (*rate.Reservation, error) {
	if lim == nil {
		return nil, nil
	}
	r := lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	if wait == 0 {
		return r, nil
	}
	r.CancelAt(now)
	return nil, &retryError{
		err:   fmt.Errorf("%w: %s %q is over %v calls/s (burst %d)", ErrRateLimited, kind, name, float64(lim.Limit()), lim.Burst()),
		after: wait,
	}
}
