package status

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
)

// Deps are what a Board reads, each at every view and sample. Every
// function must be safe for concurrent use; Layout, Live, Plan and
// Decisions are required.
type Deps struct {
	// Layout returns what the configuration in force says: the pools to
	// show, with the bounds the scaler plans within, and the budget.
	Layout func() Layout
	// Live reads the named pools' live facts now; a pool the map lacks
	// reads as idle with no replicas.
	Live func(ctx context.Context, pools []string) map[string]Live
	// Plan returns the scaler's current plan; false before the first.
	Plan func() (Plan, bool)
	// Decisions returns the scaler's latest decisions, oldest first.
	Decisions func() []DecisionView
	// Tenants returns the tenants with a budget, by name; nil shows none.
	Tenants func() []Tenant
	// Now is the clock. If nil, time.Now is used.
	Now func() time.Time
}

// Board gathers what the status page, GET /admin/status and `sluice
// status` show, and keeps the history they show: a sample of the pools
// per tick of its run loop, and the scaler's decisions worth reading. It
// is safe for concurrent use.
type Board struct {
	deps      Deps
	samples   *sampler
	decisions *decisionLog
}

// NewBoard returns a board over deps, with no history yet.
func NewBoard(deps Deps) *Board {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Board{deps: deps, samples: newSampler(deps.Now, Window, Step), decisions: newDecisionLog(MaxDecisions)}
}

// Register serves the status on r:
//
//	GET /               the status page (HTML)
//	GET /admin/status   the same facts as JSON (a View), which `sluice status` reads
func (b *Board) Register(r chi.Router) {
	r.Get("/", b.getPage)
	r.Get("/admin/status", b.getStatus)
}

func (b *Board) getPage(w http.ResponseWriter, r *http.Request) {
	var page bytes.Buffer
	if err := WritePage(&page, b.view(r.Context())); err != nil {
		http.Error(w, fmt.Sprintf("sluice: status page: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = page.WriteTo(w)
}

func (b *Board) getStatus(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(b.view(r.Context()))
}

// view gathers the facts now and makes their view, keeping the scaler's
// decisions the board has not seen yet.
func (b *Board) view(ctx context.Context) View {
	layout := b.deps.Layout()
	plan, planned := b.deps.Plan()
	b.decisions.add(b.deps.Decisions())
	return build(input{
		Now: b.deps.Now(), Layout: layout, Live: b.live(ctx, layout),
		Plan: plan, Planned: planned,
		Decisions: b.decisions.recent(), Samples: b.samples.recent(),
		Tenants: b.tenants(),
	})
}

// tenants returns the tenants of Deps.Tenants, none without it.
func (b *Board) tenants() []Tenant {
	if b.deps.Tenants == nil {
		return nil
	}
	return b.deps.Tenants()
}

// sample records the pools now and keeps the scaler's new decisions.
func (b *Board) sample(ctx context.Context) {
	layout := b.deps.Layout()
	b.samples.record(func(now time.Time) sample { return sampleOf(now, layout, b.live(ctx, layout)) })
	b.decisions.add(b.deps.Decisions())
}

// Run samples at once and then at every tick of ticks, until ctx is done
// or ticks is closed.
func (b *Board) Run(ctx context.Context, ticks <-chan time.Time) {
	b.sample(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-ticks:
			if !ok {
				return
			}
			b.sample(ctx)
		}
	}
}

// live reads the pools of layout.
func (b *Board) live(ctx context.Context, layout Layout) map[string]Live {
	names := make([]string, len(layout.Fleet.Pools))
	for i, p := range layout.Fleet.Pools {
		names[i] = p.Name
	}
	return b.deps.Live(ctx, names)
}
