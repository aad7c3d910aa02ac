package status

import (
	"fmt"
	"strings"
	"time"
)

// sparkFrame is the geometry of a sparkline, in SVG user units (CSS
// pixels on the page): the box, and inside it the plot area, with the
// value axis's labels on its left and the time axis's below it. The
// fields after Bottom follow from those before (see newFrame).
type sparkFrame struct {
	Width, Height float64
	// Left, Right, Top and Bottom bound the plot area.
	Left, Right, Top, Bottom float64
	// PlotWidth and PlotHeight are the plot area's size; MidX and MidY
	// its centre.
	PlotWidth, PlotHeight, MidX, MidY float64
	// ValueX is the right edge of the value labels; TopY and ZeroY their
	// baselines, beside the top and the bottom of the plot.
	ValueX, TopY, ZeroY float64
	// TickEnd is where a time tick ends below the plot; TimeY is the
	// baseline of the time labels.
	TickEnd, TimeY float64
}

// newFrame returns the frame of a box width × height whose plot area is
// bounded by left, right, top and bottom.
func newFrame(width, height, left, right, top, bottom float64) sparkFrame {
	const labelHalf = 3 // half a label's height, to centre it on a line
	return sparkFrame{
		Width: width, Height: height, Left: left, Right: right, Top: top, Bottom: bottom,
		PlotWidth: right - left, PlotHeight: bottom - top, MidX: (left + right) / 2, MidY: (top+bottom)/2 + labelHalf,
		ValueX: left - 3, TopY: top + labelHalf, ZeroY: bottom + labelHalf,
		TickEnd: bottom + 3, TimeY: height - 3,
	}
}

// frame is the status page's sparklines' geometry: the labels of four
// ticks ("−120s") fit between five, and a value label ("12.5k") left of
// the plot.
var frame = newFrame(152, 52, 28, 142, 5, 38)

// sparkline is a trend series drawn in a frame: time runs left to right
// over its time axis, values from 0 (bottom) to Top (top), a round
// number at or above the series' peak (1 for a peak of 0).
type sparkline struct {
	Frame sparkFrame
	// Points is an SVG polyline's points, "x,y x,y …"; empty without
	// samples.
	Points string
	// LastX and LastY place the latest sample, Last is its value and
	// Peak the series' largest; all 0 without samples.
	LastX, LastY float64
	Last, Peak   float64
	// Top is the value at the top of the plot and TopLabel its label; 1
	// for a series that never rises above 0.
	Top      float64
	TopLabel string
	// Ticks are the time axis's marks, oldest first.
	Ticks []sparkTick
	// Span says how long the time axis is ("2 min 30 s").
	Span string
	// Empty is true without samples.
	Empty bool
}

// spark draws vals, sampled at at (aligned, oldest first), in f on the
// time axis ax. Negative values and NaN draw as 0; samples outside the
// axis are clamped to its edges.
func (f sparkFrame) spark(at []time.Time, vals []float64, ax timeAxis) sparkline {
	s := sparkline{Frame: f, Empty: len(vals) == 0, Span: fmtSpan(ax.Span)}
	for _, v := range vals {
		s.Peak = max(s.Peak, nonNegative(v))
	}
	s.Top = niceCeil(s.Peak)
	if s.Top == 0 {
		s.Top = 1 // a flat zero lies on the bottom of a 0–1 scale
	}
	s.TopLabel = fmtAxis(s.Top)
	pts := make([]string, 0, len(vals))
	for i, v := range vals {
		v = nonNegative(v)
		x, y := f.x(ax.share(at[i])), f.y(v, s.Top)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		s.LastX, s.LastY, s.Last = x, y, v
	}
	s.Points = strings.Join(pts, " ")
	for _, t := range ax.ticks() {
		s.Ticks = append(s.Ticks, sparkTick{X: f.x(t.Share), Label: t.Label})
	}
	return s
}

// sparkTick is a time tick drawn: its x and its label.
type sparkTick struct {
	X     float64
	Label string
}

// x is the plot's x at share of the time axis (0 its start, 1 its end).
func (f sparkFrame) x(share float64) float64 {
	return f.Left + (f.Right-f.Left)*share
}

// y places v on the plot's scale from 0 (bottom) to top. pre: v and top
// are not NaN.
func (f sparkFrame) y(v, top float64) float64 {
	if v <= 0 || top <= 0 {
		return f.Bottom
	}
	return f.Bottom - (f.Bottom-f.Top)*min(v/top, 1)
}

// nonNegative returns v, or 0 for negative values and NaN.
func nonNegative(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	return v
}

// sparkSet is the three sparklines of a trend.
type sparkSet struct {
	Rate, Replicas, USDPerHour sparkline
}

// sparksOf draws t in frame on the time axis ax.
func sparksOf(t TrendView, ax timeAxis) sparkSet {
	return sparkSet{
		Rate:       frame.spark(t.At, t.Rate, ax),
		Replicas:   frame.spark(t.At, t.Replicas, ax),
		USDPerHour: frame.spark(t.At, t.USDPerHour, ax),
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
