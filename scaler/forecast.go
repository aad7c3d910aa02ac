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

// forecast returns the rate expected after horizon: level + trend·horizon,
// but never below the level (a falling trend does not shed capacity ahead
// of time; the stabilization window lowers it when the fall has happened)
// nor below 0.
func (h holt) forecast(horizon time.Duration) float64 {
	return max(h.level, h.level+h.trend*horizon.Seconds(), 0)
}
