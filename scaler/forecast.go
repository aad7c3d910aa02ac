package scaler

import (
	"math"
	"time"
)

// holt is Holt's double exponential smoothing of an arrival rate: a level
// (items/s), a trend (items/s per second) and the mean absolute error of
// its one-step forecasts. The zero value has seen nothing.
type holt struct {
	level, trend, mae float64
	seen              bool
}

// update returns h after observing rate x a time dt after the previous
// observation. The first observation sets the level; a non-positive dt
// after it changes nothing. With p = level + trend·dt the prediction:
//
//	level' = α·x + (1-α)·p
//	trend' = β·(level' - level)/dt + (1-β)·trend
//	mae'   = mae + γ·(|x - p| - mae)
func (h holt) update(x float64, dt time.Duration, alpha, beta, gamma float64) holt {
	if !h.seen {
		return holt{level: x, seen: true}
	}
	if dt <= 0 {
		return h
	}
	sec := dt.Seconds()
	p := h.level + h.trend*sec
	level := alpha*x + (1-alpha)*p
	return holt{
		level: level,
		trend: beta*(level-h.level)/sec + (1-beta)*h.trend,
		mae:   h.mae + gamma*(math.Abs(x-p)-h.mae),
		seen:  true,
	}
}

// forecast returns the rate expected after horizon: the level plus the
// trend, capped at slope (the rise observed lately, items/s per second),
// extrapolated with damping: a trend of b adds b·τ·(1 - e^(-horizon/τ)),
// which is b·horizon for a short horizon and never more than b·τ, since a
// rise seldom lasts a whole cold start at the pace it began. A zero
// damping extrapolates without one. The result is never below the level
// (a falling trend does not shed capacity ahead of time; the
// stabilization window lowers it when the fall has happened) nor below 0.
func (h holt) forecast(horizon, damping time.Duration, slope float64) float64 {
	trend := min(h.trend, slope)
	return max(h.level, h.level+trend*dampedHorizon(horizon, damping), 0)
}

// dampedHorizon returns τ·(1 - e^(-horizon/τ)) in seconds, for τ =
// damping; horizon itself when damping is 0.
func dampedHorizon(horizon, damping time.Duration) float64 {
	if damping <= 0 {
		return horizon.Seconds()
	}
	tau := damping.Seconds()
	return tau * -math.Expm1(-horizon.Seconds()/tau)
}

// pace returns the rise of the forecast's level over the last span, per
// second: from the oldest of levels within span to the newest, over span
// (a history shorter than span counts as having stood still before it).
// It is +Inf when span is 0 and never below 0. A trend above the pace of
// the last few seconds is the memory of a rise that has stopped: after a
// step the level settles within a few decisions while the trend, smoothed
// over dozens, keeps rising.
func pace(levels []sample, now time.Time, span time.Duration) float64 {
	if span <= 0 {
		return math.Inf(1)
	}
	if len(levels) < 2 {
		return 0
	}
	last := levels[len(levels)-1].rate
	for _, s := range levels {
		if now.Sub(s.at) <= span {
			return max(last-s.rate, 0) / span.Seconds()
		}
	}
	return 0
}
