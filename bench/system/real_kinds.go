package system

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// RequestKind is one kind of request Real sends: a request for Model of
// Rows rows holding Elements FP32 values in all (the model sum of the
// emulated worker takes any such request).
type RequestKind struct {
	Model    string
	Rows     int
	Elements int
}

// perRow returns the elements of one row. pre: k.Check() is nil.
func (k RequestKind) perRow() int { return k.Elements / k.Rows }

// Check reports why requests of k cannot be built: rows below 1, or
// elements that do not split into whole rows.
func (k RequestKind) Check() error {
	if k.Rows < 1 || k.Elements < k.Rows || k.Elements%k.Rows != 0 {
		return fmt.Errorf("%d elements in %d rows: want rows >= 1 and a whole number of elements per row", k.Elements, k.Rows)
	}
	return nil
}

// body returns the request's JSON body. Its values are zeros, the
// cheapest numbers to decode, which leaves more of the machine to the
// gateway; the emulated worker's time depends on the rows alone.
func (k RequestKind) body() ([]byte, error) {
	x := oip.NewFP32("x", []int64{int64(k.Rows), int64(k.perRow())}, make([]float32, k.Elements))
	body, err := json.Marshal(&oip.InferenceRequest{Inputs: []oip.Tensor{x}})
	if err != nil {
		return nil, fmt.Errorf("bench: encoding a %s request: %w", k.Model, err)
	}
	return body, nil
}

// realModel is what the gateway applies to a kind of request: its model's
// settings and the tier the routes send it to.
type realModel struct {
	configs.Model
	tier  string
	pools []string
}

// modelOf returns how the gateway of cfg serves requests of k: the
// model's SLO, timeout and batching, and the tier of the first route that
// matches a normal-priority request of k from an untrusted caller (so
// routes on headers never match), else the model's own.
func modelOf(cfg *configs.Config, k RequestKind) (realModel, error) {
	var rm realModel
	found := false
	for _, m := range cfg.Models {
		if m.Name == k.Model {
			rm.Model, found = m, true
		}
	}
	if !found {
		return rm, fmt.Errorf("bench: %s: no model %q", cfg.File, k.Model)
	}
	facts := router.Facts{Model: k.Model, Rows: int64(k.Rows), Elements: int64(k.Elements),
		Bytes: 4 * int64(k.Elements), Priority: batcher.Normal}
	rm.tier = rm.Tier
	for _, r := range app.RouterConfig(cfg).Routes {
		if r.Match.Matches(facts) {
			rm.tier = r.Tier
			break
		}
	}
	for _, t := range cfg.Tiers {
		if t.Name == rm.tier {
			rm.pools = t.Pools
		}
	}
	return rm, nil
}

// simKindOf describes requests of k to the simulator as the gateway of
// cfg serves them. The batcher merges requests of the same model and row
// shape, so that is what the kind's Model key says.
func simKindOf(cfg *configs.Config, k RequestKind) (sim.Kind, error) {
	m, err := modelOf(cfg, k)
	if err != nil {
		return sim.Kind{}, err
	}
	return sim.Kind{
		Model: fmt.Sprintf("%s [*,%d]", k.Model, k.perRow()), Tier: m.tier, Pools: m.pools,
		SLO: m.SLO, Timeout: m.Timeout, Rows: int64(k.Rows),
		MaxBatch: m.MaxBatch, NoBatching: !m.BatchingEnabled(),
	}, nil
}

// realFleet is the simulator's fleet for a real run of cfg: simFleet's,
// with the kinds as the gateway serves them, no random spot interruption
// (local workers are never interrupted) and billing without a minimum
// (the real run's cost is the replica time it measured).
func realFleet(cfg *configs.Config, kinds [2]RequestKind) (sim.Fleet, error) {
	f, err := simFleet(cfg, SimKinds{Light: kinds[sim.Light].Model, Heavy: kinds[sim.Heavy].Model, HeavyRows: int64(kinds[sim.Heavy].Rows)})
	if err != nil {
		return sim.Fleet{}, err
	}
	for i, k := range kinds {
		if f.Kinds[i], err = simKindOf(cfg, k); err != nil {
			return sim.Fleet{}, err
		}
	}
	f.SpotRate = -1                // none
	f.MinBilling = time.Nanosecond // none: 0 would mean the default
	return f, nil
}
