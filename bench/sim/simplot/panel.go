package simplot

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Layout of an image: its width, the strip right of the panels that holds
// their legends, and the resolution.
const (
	width       = 12 * vg.Inch
	legendWidth = 2.4 * vg.Inch
	dpi         = 96
)

// panel is one plot of an image with its own legend, drawn beside the
// data instead of over it.
type panel struct {
	plot   *plot.Plot
	legend plot.Legend
}

// newPanel returns an empty panel with round ticks and a grid.
func newPanel(yLabel string) *panel {
	p := plot.New()
	p.Y.Label.Text = yLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = roundTicks{}, roundTicks{}
	p.Add(plotter.NewGrid())
	l := plot.NewLegend()
	l.Top, l.Left = true, true
	return &panel{plot: p, legend: l}
}

// line adds a line in palette color c, named in the legend unless name
// is empty; dashed lines are grey.
func (p *panel) line(name string, xys plotter.XYs, c int, dashed bool) error {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("line %q: %w", name, err)
	}
	l.Color = plotutil.Color(c)
	l.Width = vg.Points(1)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		l.Color = color.Gray{Y: 90}
	}
	p.plot.Add(l)
	if name != "" {
		p.legend.Add(name, l)
	}
	return nil
}

// label writes text at (x, y) in data coordinates, above and right of it.
func (p *panel) label(x, y float64, text string) error {
	ls, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: x, Y: y}}, Labels: []string{text}})
	if err != nil {
		return fmt.Errorf("label %q: %w", text, err)
	}
	ls.Offset = vg.Point{X: vg.Points(3), Y: vg.Points(2)}
	p.plot.Add(ls)
	return nil
}

// writePNG draws panels one above the other, each panelHeight high, their
// axes aligned and each legend in the strip to its right, as a PNG.
func writePNG(w io.Writer, panels []*panel, panelHeight vg.Length) error {
	img := vgimg.NewWith(vgimg.UseWH(width, panelHeight*vg.Length(len(panels))), vgimg.UseDPI(dpi))
	dc := draw.New(img)
	plots := draw.Crop(dc, 0, -legendWidth, 0, 0)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadY: 3 * vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 2 * vg.Millimeter}
	grid := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		grid[i] = []*plot.Plot{p.plot}
	}
	canvases := plot.Align(grid, tiles, plots)
	for i, p := range panels {
		c := canvases[i][0]
		p.plot.Draw(c)
		side := c
		side.Min.X, side.Max.X = c.Max.X+2*vg.Millimeter, dc.Max.X
		p.legend.Draw(side)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("simplot: writing png: %w", err)
	}
	return nil
}
