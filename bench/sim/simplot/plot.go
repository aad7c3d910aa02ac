package simplot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/sluice-gateway/sluice/bench/sim"
)

// Size of the image.
const (
	width  = 12 * vg.Inch
	height = 12 * vg.Inch
	dpi    = 96
)

// Options are the labels of a plot.
type Options struct {
	// Title heads the image, e.g. "steady / costaware".
	Title string
	// SLOs are drawn as dashed lines on the latency panel.
	SLOs []time.Duration
}

// WritePNG draws tl as a PNG image to w. It fails when the timeline is
// empty or when w fails.
func WritePNG(w io.Writer, tl *sim.Timeline, o Options) error {
	if tl == nil || len(tl.Offered) == 0 {
		return fmt.Errorf("simplot: empty timeline")
	}
	panels, err := panels(tl, o)
	if err != nil {
		return err
	}
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadX: vg.Millimeter, PadY: 3 * vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 2 * vg.Millimeter}
	grid := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		grid[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(grid, tiles, dc)
	for i, p := range panels {
		p.Draw(canvases[i][0])
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("simplot: writing png: %w", err)
	}
	return nil
}

// panels builds the four panels of tl.
func panels(tl *sim.Timeline, o Options) ([]*plot.Plot, error) {
	build := []func(*sim.Timeline, Options) (*plot.Plot, error){offered, replicas, latency, price}
	out := make([]*plot.Plot, 0, len(build))
	for _, b := range build {
		p, err := b(tl, o)
		if err != nil {
			return nil, fmt.Errorf("simplot: %w", err)
		}
		p.X.Label.Text = "minutes"
		p.X.Min = 0
		p.X.Max = float64(len(tl.Offered)) / 60
		p.Add(plotter.NewGrid())
		out = append(out, p)
	}
	out[0].Title.Text = o.Title
	return out, nil
}

// offered plots the arrivals per second and the queue.
func offered(tl *sim.Timeline, _ Options) (*plot.Plot, error) {
	p := plot.New()
	p.Y.Label.Text = "requests/s"
	if err := addLine(p, "offered", perSecond(tl.Offered), 0, false); err != nil {
		return nil, err
	}
	if err := addLine(p, "queued", perSecond(tl.Queued), 1, false); err != nil {
		return nil, err
	}
	p.Legend.Top = true
	return p, nil
}

// replicas plots the billed replicas of each pool.
func replicas(tl *sim.Timeline, _ Options) (*plot.Plot, error) {
	p := plot.New()
	p.Y.Label.Text = "replicas"
	p.Y.Min = 0
	for i, name := range tl.Pools {
		if err := addLine(p, name, perSecond(tl.Replicas[i]), i+2, false); err != nil {
			return nil, err
		}
	}
	p.Legend.Top = true
	return p, nil
}

// latency plots the p99 per window and the SLOs.
func latency(tl *sim.Timeline, o Options) (*plot.Plot, error) {
	p := plot.New()
	p.Y.Label.Text = fmt.Sprintf("p99 ms per %v", sim.TimelineWindow)
	p.Y.Min = 0
	var xys plotter.XYs
	step := sim.TimelineWindow.Minutes()
	for i, v := range tl.P99 {
		if !math.IsNaN(v) {
			xys = append(xys, plotter.XY{X: float64(i+1) * step, Y: v})
		}
	}
	if len(xys) > 0 {
		if err := addLine(p, "p99", xys, 0, false); err != nil {
			return nil, err
		}
	}
	end := float64(len(tl.Offered)) / 60
	for i, slo := range o.SLOs {
		ms := float64(slo) / float64(time.Millisecond)
		line := plotter.XYs{{X: 0, Y: ms}, {X: end, Y: ms}}
		if err := addLine(p, fmt.Sprintf("SLO %v", slo), line, 6+i, true); err != nil {
			return nil, err
		}
	}
	p.Legend.Top = true
	return p, nil
}

// price plots the fleet's price per hour.
func price(tl *sim.Timeline, _ Options) (*plot.Plot, error) {
	p := plot.New()
	p.Y.Label.Text = "USD/h"
	p.Y.Min = 0
	if err := addLine(p, "fleet", perSecond(tl.CostPerHour), 1, false); err != nil {
		return nil, err
	}
	return p, nil
}

// perSecond returns ys as points one second apart, x in minutes.
func perSecond(ys []float64) plotter.XYs {
	xys := make(plotter.XYs, len(ys))
	for i, y := range ys {
		xys[i] = plotter.XY{X: float64(i) / 60, Y: y}
	}
	return xys
}

// addLine adds a named line in palette color c, dashed or not.
func addLine(p *plot.Plot, name string, xys plotter.XYs, c int, dashed bool) error {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("line %q: %w", name, err)
	}
	l.Color = plotutil.Color(c)
	l.Width = vg.Points(1)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		l.Color = color.Gray{Y: 100}
	}
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}
