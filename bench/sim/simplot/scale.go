package simplot

import (
	"math"

	"gonum.org/v1/plot"
)

// logScale is a logarithmic axis that, unlike plot.LogScale, maps values
// at or below zero to the bottom of the axis instead of panicking.
type logScale struct{}

var _ plot.Normalizer = logScale{}

// Normalize returns the fractional logarithmic distance of x between lo
// and hi, both > 0.
func (logScale) Normalize(lo, hi, x float64) float64 {
	if x <= 0 {
		return math.Inf(-1)
	}
	return (math.Log(x) - math.Log(lo)) / (math.Log(hi) - math.Log(lo))
}

// maxNines is the most nines the attainment axis tells apart: higher
// attainments, 1 included, are drawn at 1 - 10^-maxNines.
const maxNines = 5

// ninesScale is an axis of SLO attainment that spreads the nines evenly:
// 0.9, 0.99 and 0.999 sit one step apart (the distance is -log10(1-a)).
type ninesScale struct{}

var _ plot.Normalizer = ninesScale{}

// Normalize returns the fractional distance of x between lo and hi in
// nines.
func (ninesScale) Normalize(lo, hi, x float64) float64 {
	return (nines(x) - nines(lo)) / (nines(hi) - nines(lo))
}

// nines returns -log10(1-a), a clamped to [0, 1 - 10^-maxNines].
func nines(a float64) float64 {
	return -math.Log10(1 - min(max(a, 0), 1-math.Pow(10, -maxNines)))
}

// ninesTicks marks an attainment axis at 0, 0.5 and each number of nines
// up to maxNines; the top one reads "≥" since higher values sit there.
type ninesTicks struct{}

var _ plot.Ticker = ninesTicks{}

// Ticks returns the ticks between lo and hi.
func (ninesTicks) Ticks(lo, hi float64) []plot.Tick {
	values := []float64{0, 0.5}
	for n := 1; n <= maxNines; n++ {
		values = append(values, 1-math.Pow(10, -float64(n)))
	}
	var ticks []plot.Tick
	for i, v := range values {
		if v < lo-1e-12 || v > hi+1e-12 {
			continue
		}
		label := trim(v, math.Pow(10, -float64(max(i-1, 1))))
		if i == len(values)-1 {
			label = "≥" + label
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}
