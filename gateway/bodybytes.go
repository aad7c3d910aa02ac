package gateway

import (
	"fmt"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// bodyBytes bounds the bytes the bodies of the calls in progress hold
// together (Options.MaxBodyBytesInFlight), so that slow or greedy
// clients cannot pin the heap: a call that would cross it is refused
// with an error matching ErrOverloaded. The last eighth of the bound is
// kept for small bodies (at most smallClaim bytes): large ones cannot
// fill it, so they never starve the small calls of their room. It is
// safe for concurrent use.
type bodyBytes struct {
	limit int64
	held  atomic.Int64
	// gauge follows held; nil follows nothing.
	gauge prometheus.Gauge
}

// smallClaim is the largest claim the bound's reserve serves.
const smallClaim = initialBodyBuffer

// take reserves n more bytes for a claim that then holds total, or
// returns an error matching ErrOverloaded, reserving nothing, when they
// would cross the limit (the limit less its reserve for a total over
// smallClaim).
func (b *bodyBytes) take(n, total int64) error {
	if b.held.Add(n) > b.limitFor(total) {
		return b.refuse(b.held.Add(-n), n, total)
	}
	b.follow(n)
	return nil
}

// room returns nil when n more bytes, for a claim that then holds total,
// fit now, else take's error; it takes nothing.
func (b *bodyBytes) room(n, total int64) error {
	if held := b.held.Load(); held+n > b.limitFor(total) {
		return b.refuse(held, n, total)
	}
	return nil
}

// limitFor is the limit for a claim that holds total bytes: the bound
// less its reserve when the claim is not small.
func (b *bodyBytes) limitFor(total int64) int64 {
	if total > smallClaim {
		return b.limit - b.limit/8
	}
	return b.limit
}

// refuse is the error of n more bytes, for a claim that then holds
// total, that do not fit beside held.
func (b *bodyBytes) refuse(held, n, total int64) error {
	return fmt.Errorf("%w: %d bytes of request bodies held, %d more would cross the limit of %d bytes", ErrOverloaded, held, n, b.limitFor(total))
}

// give hands back n bytes taken.
func (b *bodyBytes) give(n int64) {
	b.held.Add(-n)
	b.follow(-n)
}

// follow moves the gauge by n.
func (b *bodyBytes) follow(n int64) {
	if b.gauge != nil {
		b.gauge.Add(float64(n))
	}
}

// claim is the part of a bodyBytes one call holds. Its methods are not
// safe for concurrent use; a call has one claim.
type claim struct {
	from *bodyBytes
	held int64
}

// resize makes c hold n bytes in all: it takes the increase, failing as
// bodyBytes.take does and then holding what it held, or gives back the
// decrease.
func (c *claim) resize(n int64) error {
	if n > c.held {
		if err := c.from.take(n-c.held, n); err != nil {
			return err
		}
	} else {
		c.from.give(c.held - n)
	}
	c.held = n
	return nil
}

// room returns nil when c could grow to n bytes now, else an error
// matching ErrOverloaded; it takes nothing.
func (c *claim) room(n int64) error { return c.from.room(n-c.held, n) }

// release gives back all that c holds.
func (c *claim) release() { _ = c.resize(0) }
