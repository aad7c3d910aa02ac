package simplot

import (
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
)

// roundTicks marks a linear axis at round numbers: about five major ticks
// a step of 1, 2 or 5 times a power of ten apart, labelled without
// needless decimals (25000 as "25k" when the step is thousands), and a
// minor tick between each.
type roundTicks struct{}

var _ plot.Ticker = roundTicks{}

// Ticks returns the ticks between lo and hi.
func (roundTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: roundLabel(lo, 1)}}
	}
	step := niceStep((hi - lo) / 5)
	var ticks []plot.Tick
	for v := math.Ceil(lo/step*2) * step / 2; v <= hi+step*1e-9; v += step / 2 {
		v = math.Round(v/step*2) * step / 2 // no drift
		label := ""
		if math.Abs(math.Remainder(v, step)) < step*1e-9 {
			label = roundLabel(v, step)
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

// niceStep returns the least of 1, 2 or 5 times a power of ten at least x.
func niceStep(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// roundLabel writes v, a multiple of step, with as many decimals as step
// needs; on an axis stepping by thousands or millions, as "k" or "M".
func roundLabel(v, step float64) string {
	switch {
	case v == 0:
		return "0"
	case step >= 1e6:
		return trim(v/1e6, step/1e6) + "M"
	case step >= 1e3:
		return trim(v/1e3, step/1e3) + "k"
	}
	return trim(v, step)
}

// trim writes v with the decimals step needs.
func trim(v, step float64) string {
	decimals := max(0, int(math.Ceil(-math.Log10(step)-1e-9)))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// msLogTicks marks a logarithmic axis of milliseconds at 1, 2 and 5
// times each power of ten, labelled in ms below a second and in s above
// ("200ms", "2s").
type msLogTicks struct{}

var _ plot.Ticker = msLogTicks{}

// Ticks returns the ticks between lo and hi, both > 0.
func (msLogTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for p := math.Pow(10, math.Floor(math.Log10(lo))); p <= hi; p *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := m * p; v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
				ticks = append(ticks, plot.Tick{Value: v, Label: msLabel(v)})
			}
		}
	}
	return ticks
}

// msLabel writes a duration in ms as people read it.
func msLabel(ms float64) string {
	return time.Duration(math.Round(ms * float64(time.Millisecond))).String()
}
