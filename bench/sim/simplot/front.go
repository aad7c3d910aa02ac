package simplot

import (
	"fmt"
	"io"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// frontHeight is the height of a front plot.
const frontHeight = 7 * vg.Inch

// Point is one configuration on a front plot: what it cost and the share
// of requests it answered within their SLO.
type Point struct {
	CostUSD, Attainment float64
}

// Front is one family's Pareto front, cheapest first.
type Front struct {
	Name   string
	Points []Point
}

// Mark is a labelled point drawn over the fronts.
type Mark struct {
	Label string
	Point Point
}

// FrontOptions is what a front plot shows.
type FrontOptions struct {
	// Title heads the image, e.g. "steady".
	Title string
	// Fronts are drawn as lines with markers, one color each.
	Fronts []Front
	// Marks are labelled points: a family's default configuration,
	// oracle@level.
	Marks []Mark
	// LowerUSD, when > 0, is the lower bound on cost, a labelled vertical
	// line.
	LowerUSD float64
	// Levels are the SLO levels, dotted horizontal lines.
	Levels []float64
}

// WriteFrontPNG draws cost (x, USD) against SLO attainment (y, on a scale
// that spreads 0.9, 0.99 and 0.999 evenly) as a PNG image to w, legend
// beside the data. It fails when there is nothing to draw or w fails.
func WriteFrontPNG(w io.Writer, o FrontOptions) error {
	p := newPanel("SLO attainment, all requests")
	p.plot.Title.Text = o.Title
	p.plot.X.Label.Text = "cost (USD)"
	p.plot.Y.Scale, p.plot.Y.Tick.Marker = ninesScale{}, ninesTicks{}
	lo, hi, ok := frontRange(o)
	if !ok {
		return fmt.Errorf("simplot: empty front plot")
	}
	p.plot.X.Min, p.plot.X.Max = 0, hi*1.08
	p.plot.Y.Min, p.plot.Y.Max = lo, 1-math.Pow(10, -maxNines)
	for i, f := range o.Fronts {
		if err := frontLine(p, f, i); err != nil {
			return fmt.Errorf("simplot: %w", err)
		}
	}
	if err := boundLines(p, o); err != nil {
		return fmt.Errorf("simplot: %w", err)
	}
	if err := marks(p, o.Marks); err != nil {
		return fmt.Errorf("simplot: %w", err)
	}
	return writePNG(w, []*panel{p}, frontHeight)
}

// frontRange returns the lowest attainment to show (at most 0.9, at
// least 0) and the highest cost; false when there are no points.
func frontRange(o FrontOptions) (lo, hi float64, ok bool) {
	lo = 0.9
	add := func(pt Point) {
		lo, hi, ok = min(lo, max(pt.Attainment, 0)), max(hi, pt.CostUSD), true
	}
	for _, f := range o.Fronts {
		for _, pt := range f.Points {
			add(pt)
		}
	}
	for _, m := range o.Marks {
		add(m.Point)
	}
	return lo, max(hi, o.LowerUSD), ok
}

// frontLine draws one front in palette color c.
func frontLine(p *panel, f Front, c int) error {
	if len(f.Points) == 0 {
		return nil
	}
	xys := make(plotter.XYs, len(f.Points))
	for i, pt := range f.Points {
		xys[i] = plotter.XY{X: pt.CostUSD, Y: pt.Attainment}
	}
	l, s, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("front %q: %w", f.Name, err)
	}
	l.Color, s.Color = plotutil.Color(c), plotutil.Color(c)
	l.Width = vg.Points(1.5)
	s.Shape = plotutil.Shape(c)
	s.Radius = vg.Points(3)
	p.plot.Add(l, s)
	p.legend.Add(f.Name, l, s)
	return nil
}

// boundLines draws the levels and the lower bound, labelled.
func boundLines(p *panel, o FrontOptions) error {
	top := 1 - math.Pow(10, -maxNines)
	for _, l := range o.Levels {
		if err := p.line("", plotter.XYs{{X: 0, Y: l}, {X: p.plot.X.Max, Y: l}}, 0, true); err != nil {
			return err
		}
		if err := p.label(0, l, fmt.Sprintf("SLO ≥ %g", l)); err != nil {
			return err
		}
	}
	if o.LowerUSD <= 0 {
		return nil
	}
	name := fmt.Sprintf("lower bound %.2f $", o.LowerUSD)
	if err := p.line(name, plotter.XYs{{X: o.LowerUSD, Y: p.plot.Y.Min}, {X: o.LowerUSD, Y: top}}, 0, true); err != nil {
		return err
	}
	return p.label(o.LowerUSD, p.plot.Y.Min, "lower bound")
}

// marks draws labelled points as black stars.
func marks(p *panel, ms []Mark) error {
	for _, m := range ms {
		s, err := plotter.NewScatter(plotter.XYs{{X: m.Point.CostUSD, Y: m.Point.Attainment}})
		if err != nil {
			return fmt.Errorf("mark %q: %w", m.Label, err)
		}
		s.Shape = draw.PyramidGlyph{}
		s.Radius = vg.Points(5)
		p.plot.Add(s)
		if err := p.label(m.Point.CostUSD, m.Point.Attainment, m.Label); err != nil {
			return err
		}
	}
	return nil
}
