package system

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
)

// LoadOptions configure Load.
type LoadOptions struct {
	// Target is the gateway's base URL (http://host:port); Trace the
	// scenario's trace file.
	Target, Trace string
	// Admin, if not empty, is the gateway's admin base URL, from which the
	// fleet's replicas are read every second and priced; Config, if not
	// empty, is the gateway's configuration file, for the prices the
	// admin API lacks.
	Admin, Config string
	// Speedup compresses trace time: second i is sent at i/Speedup s.
	Speedup float64
	// Duration caps the trace time replayed (before Speedup); 0 means all.
	Duration time.Duration
	// Grace is how long after the trace's end answers still count.
	Grace time.Duration
	// Keys holds an API key per load class; a class without one sends its
	// priority in the gateway's priority header.
	Keys [load.NumClasses]string
	// Seed seeds the arrivals, kinds and classes.
	Seed uint64
	// JSON prints the report as one JSON object.
	JSON bool
	// Kinds holds the light requests at sim.Light and the heavy ones at
	// sim.Heavy.
	Kinds [2]LoadKind
}

// LoadKind is what the requests of one kind are: one row of Elements
// FP32 values for Model, judged against SLO.
type LoadKind struct {
	Model    string
	Elements int
	SLO      time.Duration
}

// Load replays a scenario trace against a running gateway over HTTP,
// open loop, and writes a report with the simulator's fields to stdout:
// requests sent, served, lost, rejected by reason, SLO attainment and
// latency, and the fleet's cost when o.Admin gives the replicas.
func Load(ctx context.Context, o LoadOptions, stdout io.Writer, log *slog.Logger) error {
	trace, err := sim.LoadTrace(o.Trace)
	if err != nil {
		return err
	}
	tr, err := load.TraceSchedule(loadSeconds(trace), load.TraceOptions{Speedup: o.Speedup, Limit: o.Duration, Seed: o.Seed})
	if err != nil {
		return err
	}
	snd, err := newLoadSender(o, tr)
	if err != nil {
		return err
	}
	meter, err := startCostMeter(o, log)
	if err != nil {
		return err
	}
	log.Info("replaying", "trace", o.Trace, "requests", len(tr.Offsets), "window", tr.Duration)
	tally := newLoadTally(tr, [2]time.Duration{o.Kinds[sim.Light].SLO, o.Kinds[sim.Heavy].SLO})
	span := load.RunEach(ctx, tr.Schedule, snd, load.Options{Grace: o.Grace}, tally.add)
	rep := tally.report(trace.Name, o.Seed, o.Speedup, span)
	u := meter.stop()
	rep.setCost(u.cost(), u.Known)
	if o.JSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	return printLoadReport(stdout, rep)
}

// loadSeconds turns the simulator's trace into the load generator's.
func loadSeconds(t sim.Trace) []load.Second {
	out := make([]load.Second, len(t.Seconds))
	for i, s := range t.Seconds {
		out[i] = load.Second{RPS: s.RPS, HeavyFraction: s.HeavyFraction}
	}
	return out
}

// newLoadSender returns the sender of a traced schedule: one fixed
// request per kind and class, shared by every arrival of that kind and
// class.
func newLoadSender(o LoadOptions, tr load.Traced) (load.Sender, error) {
	client := load.NewHTTPClient(0)
	var targets [2][load.NumClasses]*load.HTTPTarget
	for k, kind := range o.Kinds {
		body, err := sumRequest(1, kind.Elements)
		if err != nil {
			return nil, err
		}
		u := strings.TrimSuffix(o.Target, "/") + "/v2/models/" + url.PathEscape(kind.Model) + "/infer"
		for c := range load.NumClasses {
			targets[k][c] = &load.HTTPTarget{Client: client, URL: u, Body: body, Header: classHeader(load.Class(c), o.Keys[c])}
		}
	}
	return load.SenderFunc(func(ctx context.Context, i int) error {
		a := tr.Arrivals[i]
		return targets[kindOf(a)][a.Class].Do(ctx)
	}), nil
}

// kindOf returns sim.Light or sim.Heavy.
func kindOf(a load.Arrival) int {
	if a.Heavy {
		return sim.Heavy
	}
	return sim.Light
}

// classHeader returns the headers that give a request its class: the
// class's API key, or the priority header when the class has none.
func classHeader(c load.Class, key string) http.Header {
	h := http.Header{}
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	} else {
		h.Set(gateway.HeaderPriority, c.String())
	}
	return h
}

// loadPrices returns the pools' prices from the configuration file at
// path; nil for an empty path.
func loadPrices(path string) (map[string]float64, error) {
	if path == "" {
		return nil, nil
	}
	cfg, err := configs.Load(path)
	if err != nil {
		return nil, err
	}
	fleet := cfg.Fleet()
	prices := make(map[string]float64, len(fleet.Pools))
	for _, p := range fleet.Pools {
		prices[p.Name] = p.PricePerHour
	}
	return prices, nil
}
