package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/budget"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/internal/status"
	"github.com/sluice-gateway/sluice/state"
)

// firstSyncTimeout bounds the exchange with the state store at start.
const firstSyncTimeout = 5 * time.Second

// tenancy is serve's tenants: the budget book, the state store it is
// synced with every state.flush_interval, and, with state.redis, the
// rate-limit buckets every replica shares. It is built once at start
// (state takes a restart); a reload replaces the tenants' limits and
// weights.
type tenancy struct {
	book   *budget.Book
	store  state.Store
	redis  *state.Redis // nil without state.redis
	keeper *state.Keeper
}

// tenantLimits is what a configuration says of its tenants and keys, in
// the gateway's terms.
type tenantLimits struct {
	tenants, keys map[string]budget.Limits
	weights       map[string]float64
}

// tenantLimitsOf reads the tenants section and the keys' budgets of cfg;
// a key's budget takes its tenant's ratios. It reads the keys' hashes
// through secrets only when a key has a budget (its name in the book
// holds part of its hash).
func tenantLimitsOf(cfg *configs.Config, secrets configs.Secrets) (tenantLimits, error) {
	tl := tenantLimits{tenants: map[string]budget.Limits{}, keys: map[string]budget.Limits{}, weights: map[string]float64{}}
	for _, t := range cfg.Tenants {
		tl.tenants[t.Name] = limitsOf(t.Budget, t)
		tl.weights[t.Name] = t.Weight
	}
	if cfg.Auth.Mode != configs.AuthKeys || !keyBudgets(cfg) {
		return tl, nil
	}
	hashes, err := cfg.KeyHashes(secrets)
	if err != nil {
		return tl, err
	}
	for i, k := range cfg.Auth.Keys {
		if k.Budget.Capped() {
			tl.keys[gateway.KeyName(k.Tenant, hashes[i])] = limitsOf(k.Budget, cfg.TenantOf(k.Tenant))
		}
	}
	return tl, nil
}

// keyBudgets reports whether some key of cfg has a budget.
func keyBudgets(cfg *configs.Config) bool {
	for _, k := range cfg.Auth.Keys {
		if k.Budget.Capped() {
			return true
		}
	}
	return false
}

// limitsOf returns budget b with the ratios of tenant t.
func limitsOf(b configs.TenantBudget, t configs.Tenant) budget.Limits {
	return budget.Limits{
		Budget:    budget.Amounts{b.PerHour, b.PerDay, b.PerMonth},
		SoftRatio: t.SoftRatio, FallbackRatio: t.FallbackRatio,
	}
}

// startTenancy opens the state store of cfg — Redis, or the state file,
// which is written only once some budget is spent or set — reads what it
// holds into a new book, and syncs them every state.flush_interval until
// the returned stop, which syncs a last time and closes the store.
func startTenancy(ctx context.Context, cfg *configs.Config, secrets configs.Secrets, log *slog.Logger) (*tenancy, func(), error) {
	tl, err := tenantLimitsOf(cfg, secrets)
	if err != nil {
		return nil, nil, err
	}
	t := &tenancy{}
	if t.store, t.redis, err = openStore(cfg, secrets, log); err != nil {
		return nil, nil, err
	}
	t.book = budget.NewBook(t.store)
	t.book.SetLimits(tl.tenants, tl.keys)
	t.keeper = &state.Keeper{Book: t.book, Store: t.store, Now: time.Now, Log: log}
	first, cancel := context.WithTimeout(ctx, firstSyncTimeout)
	_ = t.keeper.Sync(first) // a failure is logged; the book decides on what it has
	cancel()
	return t, t.run(ctx, cfg.State.FlushInterval), nil
}

// run syncs every interval until the returned stop.
func (t *tenancy) run(ctx context.Context, interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	ticker := time.NewTicker(interval)
	var wg sync.WaitGroup
	wg.Go(func() { _ = t.keeper.Run(ctx, ticker.C) })
	return func() { cancel(); wg.Wait(); ticker.Stop() }
}

// openStore opens Redis when cfg has state.redis, the state file
// otherwise.
func openStore(cfg *configs.Config, secrets configs.Secrets, log *slog.Logger) (state.Store, *state.Redis, error) {
	r := cfg.State.Redis
	if r == nil {
		f, err := state.OpenFile(cfg.Path(cfg.State.File), time.Now, log)
		return f, nil, err
	}
	opts := state.RedisOptions{Address: r.Address, Timeout: r.Timeout, Logger: log}
	if r.PasswordEnv != "" {
		lookup := secrets.LookupEnv
		if lookup == nil {
			lookup = os.LookupEnv
		}
		pw, ok := lookup(r.PasswordEnv)
		if !ok {
			return nil, nil, fmt.Errorf("state.redis.password_env: environment variable %s is not set", r.PasswordEnv)
		}
		opts.Password = pw
	}
	if r.TLS {
		host, _, _ := net.SplitHostPort(r.Address)
		opts.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	rs := state.OpenRedis(opts)
	return rs, rs, nil
}

// share returns limits whose buckets live in Redis when the state is
// shared, limits unchanged otherwise (and for a nil t).
func (t *tenancy) share(limits *gateway.RateLimits) *gateway.RateLimits {
	if t == nil || t.redis == nil {
		return limits
	}
	return limits.Shared(t.redis)
}

// gatewayOptions gives the gateway the book, the weights and the shared
// buckets.
func (t *tenancy) gatewayOptions(opts *gateway.Options, cfg *configs.Config, secrets configs.Secrets) error {
	tl, err := tenantLimitsOf(cfg, secrets)
	if err != nil {
		return err
	}
	opts.Budgets, opts.Weights, opts.Limits = t.book, tl.weights, t.share(opts.Limits)
	return nil
}

// apply puts tl in force: the book's limits and the gateway's weights.
// A nil t, serving without tenancy, applies nothing.
func (t *tenancy) apply(tl tenantLimits, gw *gateway.Gateway) {
	if t == nil {
		return
	}
	t.book.SetLimits(tl.tenants, tl.keys)
	gw.SetWeights(tl.weights)
}

// statusTenants returns the status page's tenants: those with a budget
// in force, their spend in each capped window, and their calls by budget
// step as counts counts them.
func (t *tenancy) statusTenants(counts *gateway.TenantCounters) func() []status.Tenant {
	return func() []status.Tenant {
		calls := counts.Snapshot()
		var out []status.Tenant
		for _, r := range t.book.Tenants(time.Now()) {
			if r.Budget == (budget.Amounts{}) {
				continue
			}
			steps := calls[r.Name].Budget
			st := status.Tenant{Name: r.Name, State: r.State.String(),
				Downgraded: steps[gateway.BudgetSoft] + steps[gateway.BudgetFallback], Refused: steps[budget.Exhausted.String()]}
			for _, w := range budget.Windows {
				if b := r.Budget.Of(w); b > 0 {
					st.Windows = append(st.Windows, status.TenantWindow{Name: w.String(), SpentUSD: r.Spent.Of(w), BudgetUSD: b, Resets: r.Resets[w]})
				}
			}
			out = append(out, st)
		}
		return out
	}
}
