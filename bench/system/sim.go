package system

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/bench/sim/simplot"
)

// SimOptions configure Simulate.
type SimOptions struct {
	// Config is the fleet's configuration file; Trace the scenario's
	// trace file, and Events, if not empty, its scripted events.
	Config, Trace, Events string
	// Policy names the scaling policy (see sim.Policies).
	Policy string
	// Seed seeds the run; the same seed gives the same report.
	Seed uint64
	// JSON prints the report as one JSON object.
	JSON bool
	// Plot, if not empty, is the PNG file the timeline is drawn to.
	Plot string
	// Kinds names the models of the trace's kinds.
	Kinds SimKinds
}

// Simulate runs one discrete-event simulation of the fleet of o.Config
// under o.Policy, as serve's scaler would plan it (app.ScalerSpec), and
// writes its report to stdout (sim.WriteReport, or JSON), drawing the
// timeline to o.Plot if set.
func Simulate(o SimOptions, stdout io.Writer) error {
	_, fleet, spec, err := loadSimFleet(o.Config, o.Kinds)
	if err != nil {
		return err
	}
	trace, err := sim.LoadTrace(o.Trace)
	if err != nil {
		return err
	}
	var events []sim.Event
	if o.Events != "" {
		if events, err = sim.LoadEvents(o.Events); err != nil {
			return err
		}
	}
	res, err := sim.Run(sim.Options{Fleet: fleet, Trace: trace, Events: events, Policy: o.Policy,
		Scaler: spec, Seed: o.Seed, Timeline: o.Plot != ""})
	if err != nil {
		return err
	}
	if o.Plot != "" {
		if err := writePlot(o.Plot, res, fleet); err != nil {
			return err
		}
	}
	if o.JSON {
		return json.NewEncoder(stdout).Encode(res.Report)
	}
	return sim.WriteReport(stdout, res.Report)
}

// writePlot writes the run's timeline as a PNG file, with the fleet's
// SLOs and its budget per hour (when it has one) drawn as lines.
func writePlot(path string, res *sim.Result, fleet sim.Fleet) (err error) {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	title := fmt.Sprintf("%s / %s", res.Report.Scenario, res.Report.Policy)
	slos := []time.Duration{fleet.Kinds[sim.Light].SLO, fleet.Kinds[sim.Heavy].SLO}
	return simplot.WritePNG(out, res.Timeline, simplot.Options{Title: title, SLOs: slos, BudgetPerHour: fleet.BudgetPerHour})
}
