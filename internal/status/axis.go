package status

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// minSpan is the shortest span a trend's time axis covers: the first
// samples of a run are drawn on a minute, not spread over the plot.
const minSpan = time.Minute

// tickSteps are the times between two ticks of a time axis, shortest
// first; an axis takes the shortest that needs at most maxTicks
// intervals.
var tickSteps = []time.Duration{15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute}

// maxTicks is the most intervals between ticks a time axis has, so that
// its labels never touch.
const maxTicks = 4

// timeAxis is the time axis the trends share: Span ending at End, ticks
// every Step back from End.
type timeAxis struct {
	End        time.Time
	Span, Step time.Duration
}

// fitAxis returns the time axis that fits samples since first, up to
// end: the time they cover rounded up to a whole number of ticks, at
// least minSpan and at most limit (the trends' window). Without a sample
// (hasFirst false) it spans minSpan. pre: limit >= minSpan.
func fitAxis(first time.Time, hasFirst bool, end time.Time, limit time.Duration) timeAxis {
	covered := time.Duration(0)
	if hasFirst {
		covered = min(max(end.Sub(first), 0), limit)
	}
	covered = max(covered, minSpan)
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if covered <= maxTicks*s {
			step = s
			break
		}
	}
	ticks := (covered + step - 1) / step
	return timeAxis{End: end, Span: min(ticks*step, limit), Step: step}
}

// share places t on the axis: 0 at its start (or before), 1 at its end
// (or after).
func (a timeAxis) share(t time.Time) float64 {
	return min(max(1-a.End.Sub(t).Seconds()/a.Span.Seconds(), 0), 1)
}

// tick is a mark on a time axis: its share of the axis (0 at the start,
// 1 at the end) and its label.
type tick struct {
	Share float64
	Label string
}

// ticks returns the axis's ticks, oldest first: one every Step back
// from the end, labelled with the time before the end ("−2m", "−30s")
// and "now" at the end.
func (a timeAxis) ticks() []tick {
	var out []tick
	for back := a.Span / a.Step * a.Step; back >= 0; back -= a.Step {
		out = append(out, tick{Share: 1 - back.Seconds()/a.Span.Seconds(), Label: ago(back, a.Step)})
	}
	return out
}

// ago labels a time back before the end of an axis whose ticks are step
// apart: in minutes when step is whole minutes, else in seconds.
func ago(back, step time.Duration) string {
	switch {
	case back == 0:
		return "now"
	case step%time.Minute == 0:
		return fmt.Sprintf("−%dm", back/time.Minute)
	}
	return fmt.Sprintf("−%ds", back/time.Second)
}

// fmtSpan says how long a span is, for the page's headings: "45 s",
// "1 minute", "2 min 30 s", "15 minutes".
func fmtSpan(d time.Duration) string {
	m, s := d/time.Minute, (d%time.Minute)/time.Second
	switch {
	case m == 0:
		return fmt.Sprintf("%d s", s)
	case s != 0:
		return fmt.Sprintf("%d min %d s", m, s)
	case m == 1:
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// niceSteps are the mantissas of a value axis's top, in [1, 10].
var niceSteps = []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}

// niceCeil returns the smallest number of the form m·10^k, m in
// niceSteps, that is at least v; 0 for v <= 0 (or NaN).
func niceCeil(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	scale := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range niceSteps {
		// The tolerance keeps a value that is already nice, such as 0.3
		// (0.30000000000000004 once scaled), at itself.
		if m*scale >= v*(1-1e-9) {
			return m * scale
		}
	}
	return 10 * scale
}

// fmtAxis formats a value axis's label in at most four characters or
// so: "0", "0.35", "12.5", "150", "1.2k", "45k", "3M".
func fmtAxis(v float64) string {
	switch {
	case v >= 1e6:
		return short(v/1e6) + "M"
	case v >= 1e3:
		return short(v/1e3) + "k"
	}
	return short(v)
}

// short formats v with two decimals below 1, one below 100 and none from
// 100, trailing zeros dropped.
func short(v float64) string {
	digits := 0
	switch {
	case v < 1:
		digits = 2
	case v < 100:
		digits = 1
	}
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
