package status

import (
	"fmt"
	"strings"
	"time"
)

// The size of a sparkline, in SVG user units (CSS pixels on the page).
const (
	sparkWidth  = 96
	sparkHeight = 24
	// sparkPad keeps the line's stroke inside the box.
	sparkPad = 2
)

// sparkline is a trend series drawn in a sparkWidth × sparkHeight box:
// time runs left to right over the window, values bottom (0) to top
// (the series' peak).
type sparkline struct {
	// Points is an SVG polyline's points, "x,y x,y …"; empty without
	// samples.
	Points string
	// LastX and LastY place the latest sample, Last is its value and
	// Peak the series' largest; all 0 without samples.
	LastX, LastY float64
	Last, Peak   float64
	// Empty is true without samples.
	Empty bool
}

// sparkOf draws vals, sampled at at (aligned, oldest first), over the
// window ending at end. Negative values and NaN draw as 0; samples
// outside the window are clamped to its edges.
func sparkOf(at []time.Time, vals []float64, end time.Time, window time.Duration) sparkline {
	s := sparkline{Empty: len(vals) == 0}
	for _, v := range vals {
		s.Peak = max(s.Peak, nonNegative(v))
	}
	pts := make([]string, 0, len(vals))
	for i, v := range vals {
		v = nonNegative(v)
		x, y := sparkX(at[i], end, window), sparkY(v, s.Peak)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		s.LastX, s.LastY, s.Last = x, y, v
	}
	s.Points = strings.Join(pts, " ")
	return s
}

// sparkX places t on the window ending at end.
func sparkX(t, end time.Time, window time.Duration) float64 {
	return sparkWidth * windowShare(t, end, window)
}

// windowShare places t on the window ending at end: 0 at its start (or
// before), 1 at its end (or after, or for a window that is not positive).
func windowShare(t, end time.Time, window time.Duration) float64 {
	if window <= 0 {
		return 1
	}
	return min(max(1-end.Sub(t).Seconds()/window.Seconds(), 0), 1)
}

// nonNegative returns v, or 0 for negative values and NaN.
func nonNegative(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	return v
}

// sparkY places v on a scale from 0 (bottom) to peak (top). pre: v and
// peak are not NaN.
func sparkY(v, peak float64) float64 {
	bottom := float64(sparkHeight - sparkPad)
	if v <= 0 || peak <= 0 {
		return bottom
	}
	return bottom - (sparkHeight-2*sparkPad)*min(v/peak, 1)
}

// sparkSet is the three sparklines of a trend.
type sparkSet struct {
	Rate, Replicas, USDPerHour sparkline
}

// sparksOf draws t over the window ending at end.
func sparksOf(t TrendView, end time.Time, window time.Duration) sparkSet {
	return sparkSet{
		Rate:       sparkOf(t.At, t.Rate, end, window),
		Replicas:   sparkOf(t.At, t.Replicas, end, window),
		USDPerHour: sparkOf(t.At, t.USDPerHour, end, window),
	}
}

// barWidth is the part of a bar of width total that share fills: share
// clamped to [0, 1] (NaN as 0).
func barWidth(share, total float64) float64 {
	if !(share > 0) {
		return 0
	}
	return total * min(share, 1)
}
