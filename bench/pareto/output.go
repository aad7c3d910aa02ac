package pareto

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluice-gateway/sluice/bench/sim/simplot"
)

// Write writes the result into dir, which must exist: pareto.json (the
// runs and the bounds), pareto.md (WriteMarkdown with intro) and a plot
// NAME.png per scenario (WritePlot).
func Write(dir string, res *Result, intro string) error {
	if err := writeFile(filepath.Join(dir, "pareto.json"), func(w io.Writer) error { return WriteJSON(w, res) }); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "pareto.md"), func(w io.Writer) error { return WriteMarkdown(w, res, intro) }); err != nil {
		return err
	}
	for _, s := range res.Scenarios {
		path := filepath.Join(dir, s.Scenario+".png")
		if err := writeFile(path, func(w io.Writer) error { return WritePlot(w, res, s.Scenario) }); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON writes the result as one indented JSON object: seeds, levels,
// budget, runs and per scenario its bounds.
func WriteJSON(w io.Writer, res *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// WritePlot draws scenario's fronts, one line per family, costaware's
// default and oracle@level marked, the lower bound and the levels, as a
// PNG.
func WritePlot(w io.Writer, res *Result, scenario string) error {
	o := simplot.FrontOptions{Title: scenario + ": cost at each SLO attainment", Levels: res.Levels}
	for _, f := range res.Families {
		runs := res.Of(scenario, f.Name)
		front := simplot.Front{Name: f.Name}
		for _, r := range Front(runs) {
			front.Points = append(front.Points, simplot.Point{CostUSD: r.CostUSD, Attainment: r.SLOAll})
		}
		o.Fronts = append(o.Fronts, front)
		for _, r := range runs {
			if r.Default && r.Error == "" && f.Name == "costaware" {
				o.Marks = append(o.Marks, simplot.Mark{Label: f.Name + " default", Point: simplot.Point{CostUSD: r.CostUSD, Attainment: r.SLOAll}})
			}
		}
	}
	b, _ := res.Bounds(scenario)
	if b.LowerUSD != nil {
		o.LowerUSD = *b.LowerUSD
	}
	o.Marks = append(o.Marks, oracleMarks(res, scenario, b)...)
	return simplot.WriteFrontPNG(w, o)
}

// oracleMarks returns a mark per oracle run that is oracle@level for some
// levels, labelled with all of them ("oracle@0.95/0.99").
func oracleMarks(res *Result, scenario string, b Bounds) []simplot.Mark {
	var marks []simplot.Mark
	for _, r := range res.Of(scenario, OracleFamily) {
		var levels []string
		for _, l := range res.Levels {
			if c := b.OracleCap[levelKey(l)]; c != nil && *c == r.Config["cap"] {
				levels = append(levels, levelKey(l))
			}
		}
		if len(levels) > 0 {
			marks = append(marks, simplot.Mark{Label: "oracle@" + strings.Join(levels, "/"),
				Point: simplot.Point{CostUSD: r.CostUSD, Attainment: r.SLOAll}})
		}
	}
	return marks
}

// writeFile creates path and writes it with fill.
func writeFile(path string, fill func(io.Writer) error) (err error) {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("pareto: %w", err)
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	return fill(out)
}
