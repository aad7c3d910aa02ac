package simplot

import (
	"fmt"
	"io"
	"math"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/sluice-gateway/sluice/bench/sim"
)

// timelinePanel is the height of one panel of a timeline.
const timelinePanel = 2.6 * vg.Inch

// Options are the labels of a timeline plot.
type Options struct {
	// Title heads the image, e.g. "steady / costaware".
	Title string
	// SLOs are drawn as labelled dashed lines on the latency panel.
	SLOs []time.Duration
	// BudgetPerHour, when > 0, is drawn as a labelled dashed line on the
	// price panel, in USD.
	BudgetPerHour float64
}

// WritePNG draws tl as a PNG image to w: the offered load, the queue,
// the replicas of each pool, the p99 latency per window on a log axis
// against the SLOs, and the fleet's price per hour, one panel each over a
// shared time axis, legends beside the panels. It fails when the
// timeline is empty or when w fails.
func WritePNG(w io.Writer, tl *sim.Timeline, o Options) error {
	if tl == nil || len(tl.Offered) == 0 {
		return fmt.Errorf("simplot: empty timeline")
	}
	build := []func(*sim.Timeline, Options) (*panel, error){offered, queued, replicas, latency, price}
	panels := make([]*panel, 0, len(build))
	for _, b := range build {
		p, err := b(tl, o)
		if err != nil {
			return fmt.Errorf("simplot: %w", err)
		}
		p.plot.X.Label.Text = "minutes"
		p.plot.X.Min, p.plot.X.Max = 0, minutes(tl)
		panels = append(panels, p)
	}
	panels[0].plot.Title.Text = o.Title
	return writePNG(w, panels, timelinePanel)
}

// minutes returns the timeline's length in minutes.
func minutes(tl *sim.Timeline) float64 { return float64(len(tl.Offered)) / 60 }

// offered plots the arrivals per second.
func offered(tl *sim.Timeline, _ Options) (*panel, error) {
	p := newPanel("requests/s")
	p.plot.Y.Min = 0
	return p, p.line("offered", perSecond(tl.Offered), 0, false)
}

// queued plots the requests waiting in all queues, on an axis of its own:
// a long queue would flatten the arrivals.
func queued(tl *sim.Timeline, _ Options) (*panel, error) {
	p := newPanel("queued requests")
	p.plot.Y.Min = 0
	p.plot.Y.Max = max(1, slicesMax(tl.Queued))
	return p, p.line("queued", perSecond(tl.Queued), 1, false)
}

// replicas plots the billed replicas of each pool.
func replicas(tl *sim.Timeline, _ Options) (*panel, error) {
	p := newPanel("replicas")
	p.plot.Y.Min = 0
	for i, name := range tl.Pools {
		if err := p.line(name, perSecond(tl.Replicas[i]), i+2, false); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// latency plots the p99 per window on a log axis and the SLOs as
// labelled lines.
func latency(tl *sim.Timeline, o Options) (*panel, error) {
	p := newPanel(fmt.Sprintf("p99 per %v", sim.TimelineWindow))
	var xys plotter.XYs
	step := sim.TimelineWindow.Minutes()
	lo, hi := math.Inf(1), 0.0
	for i, v := range tl.P99 {
		if !math.IsNaN(v) && v > 0 {
			xys = append(xys, plotter.XY{X: float64(i+1) * step, Y: v})
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	for _, slo := range o.SLOs {
		ms := float64(slo) / float64(time.Millisecond)
		lo, hi = min(lo, ms), max(hi, ms)
	}
	if math.IsInf(lo, 1) {
		lo, hi = 1, 1000
	}
	p.plot.Y.Scale, p.plot.Y.Tick.Marker = logScale{}, msLogTicks{}
	p.plot.Y.Min, p.plot.Y.Max = lo/1.5, hi*1.5
	if len(xys) > 0 {
		if err := p.line("p99", xys, 0, false); err != nil {
			return nil, err
		}
	}
	return p, sloLines(p, o.SLOs, minutes(tl))
}

// sloLines draws each SLO as a dashed line labelled at its left end.
func sloLines(p *panel, slos []time.Duration, end float64) error {
	for _, slo := range slos {
		ms := float64(slo) / float64(time.Millisecond)
		name := fmt.Sprintf("SLO %v", slo)
		if err := p.line(name, plotter.XYs{{X: 0, Y: ms}, {X: end, Y: ms}}, 0, true); err != nil {
			return err
		}
		if err := p.label(0, ms, name); err != nil {
			return err
		}
	}
	return nil
}

// price plots the fleet's price per hour and the budget.
func price(tl *sim.Timeline, o Options) (*panel, error) {
	p := newPanel("USD/h")
	p.plot.Y.Min = 0
	if err := p.line("fleet", perSecond(tl.CostPerHour), 1, false); err != nil {
		return nil, err
	}
	if o.BudgetPerHour <= 0 {
		return p, nil
	}
	name := fmt.Sprintf("budget %g $/h", o.BudgetPerHour)
	if err := p.line(name, plotter.XYs{{X: 0, Y: o.BudgetPerHour}, {X: minutes(tl), Y: o.BudgetPerHour}}, 0, true); err != nil {
		return nil, err
	}
	return p, p.label(0, o.BudgetPerHour, name)
}

// perSecond returns ys as points one second apart, x in minutes.
func perSecond(ys []float64) plotter.XYs {
	xys := make(plotter.XYs, len(ys))
	for i, y := range ys {
		xys[i] = plotter.XY{X: float64(i) / 60, Y: y}
	}
	return xys
}

// slicesMax returns the largest of xs, 0 for none.
func slicesMax(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
