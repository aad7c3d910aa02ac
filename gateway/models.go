package gateway

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/sluice-gateway/sluice/oip"
)

// Extensions returns the protocol extensions Sluice serves, as server
// metadata lists them, in Triton's names: binary tensor data, model
// configuration, statistics, sequences, scheduling parameters (priority
// and timeout) and request parameters. Those it refuses are in the
// README's conformance table.
func Extensions() []string {
	return []string{"binary_tensor_data", "model_configuration", "statistics", "sequence", "schedule_policy", "parameters"}
}

// metadataWait bounds how long a metadata or configuration call waits
// for a first worker when none has attached yet and none answered
// before: a cold start's length at most, as an inference would wait.
const metadataWait = 30 * time.Second

// notReady returns why a model cannot be served now, or "" when it can:
// draining, or no pool of its tier can take it (the router says why: no
// ready worker, or workers that do not serve the model).
func (g *Gateway) notReady(model string) string {
	if g.Draining() {
		return "the gateway is shutting down"
	}
	if _, err := g.router.Pick(model); err != nil {
		return err.Error()
	}
	return ""
}

// metadataOf returns a model's metadata: the last a worker gave, or,
// before any, a ready worker's, or the first worker's once it attaches
// (within the model's timeout, capped, or metadataWait).
func (g *Gateway) metadataOf(ctx context.Context, model string) (*oip.ModelMetadata, error) {
	wait := metadataWait
	if m, ok := g.router.Model(model); ok && m.Timeout > 0 {
		wait = m.Timeout
		if cap := g.bounds.deadline; cap > 0 && wait > cap {
			wait = cap
		}
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	return g.router.Metadata(ctx, model)
}

// modelState is one model's entry in the model lists.
type modelState struct {
	Name   string `json:"name"`
	Ready  bool   `json:"ready"`
	Reason string `json:"reason,omitempty"`
}

// modelList answers GET /v2/models: KServe's list of names, and each
// model's readiness beside it.
type modelList struct {
	Models []string     `json:"models"`
	States []modelState `json:"states"`
}

// states returns every model's readiness, sorted by name.
func (g *Gateway) states() []modelState {
	names := g.router.Models()
	out := make([]modelState, len(names))
	for i, name := range names {
		why := g.notReady(name)
		out[i] = modelState{Name: name, Ready: why == "", Reason: why}
	}
	return out
}

func (g *Gateway) listModels(w http.ResponseWriter, _ *http.Request) {
	states := g.states()
	list := modelList{Models: make([]string, len(states)), States: states}
	for i, s := range states {
		list.Models[i] = s.Name
	}
	writeJSON(w, http.StatusOK, list)
}

// indexEntry is one model of Triton's repository index.
type indexEntry struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
}

// repositoryIndex lists the models as Triton's repository index does:
// READY or UNAVAILABLE with the reason; only the ready ones if asked.
func (g *Gateway) repositoryIndex(readyOnly bool) []indexEntry {
	var out []indexEntry
	for _, s := range g.states() {
		e := indexEntry{Name: s.Name, State: "READY"}
		if !s.Ready {
			e.State, e.Reason = "UNAVAILABLE", s.Reason
		}
		if s.Ready || !readyOnly {
			out = append(out, e)
		}
	}
	return slices.Clip(out)
}

// repositoryIndexHTTP answers POST /v2/repository/index, whose optional
// body is {"ready": bool}.
func (g *Gateway) repositoryIndexHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Ready bool `json:"ready"`
	}
	if err := decodeSmallJSON(r, &body); err != nil {
		g.fail(w, r, err)
		return
	}
	out := g.repositoryIndex(body.Ready)
	if out == nil {
		out = []indexEntry{}
	}
	writeJSON(w, http.StatusOK, out)
}
