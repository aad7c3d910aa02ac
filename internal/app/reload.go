package app

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/configs"
)

// reloader reloads serve's configuration file on SIGHUP and on POST
// /admin/reload. Each reload loads and validates the whole file; on any
// problem the running configuration stays and the problem is reported
// (log, sluice_config_reloads_total{result="error"}, and the HTTP
// answer). Otherwise every part takes the new file at once (see
// reloadPlan.apply) without dropping a request. Reloads run one at a
// time; a reloader is safe for concurrent use.
type reloader struct {
	file    string
	parts   servingParts
	metrics *reloadMetrics
	log     *slog.Logger

	mu  sync.Mutex // serializes reloads
	cur *current
}

// newReloader returns a reloader of the file of what cur holds, which the
// parts run now, counting its reloads in reg. A reload replaces what cur
// holds.
func newReloader(cur *current, parts servingParts, reg prometheus.Registerer, log *slog.Logger) (*reloader, error) {
	m, err := newReloadMetrics(reg)
	if err != nil {
		return nil, err
	}
	rl := &reloader{file: cur.load().cfg.File, parts: parts, metrics: m, log: log, cur: cur}
	return rl, nil
}

// current returns what is in force.
func (rl *reloader) current() *inForce { return rl.cur.load() }

// shutdown returns the shutdown section of the configuration in force.
func (rl *reloader) shutdown() configs.Shutdown { return rl.current().cfg.Shutdown }

// reloadReport is the answer of a successful reload.
type reloadReport struct {
	File string `json:"file"`
	// PoolsAdded and PoolsRemoved name the pools the file adds and drops.
	PoolsAdded   []string `json:"pools_added,omitempty"`
	PoolsRemoved []string `json:"pools_removed,omitempty"`
	// RestartRequired names the sections whose changes take effect only
	// when serve restarts; the rest of the file is in force.
	RestartRequired []string     `json:"restart_required,omitempty"`
	Reloads         reloadCounts `json:"reloads"`
}

// reload loads the file and, if every part accepts it, puts it in force;
// cause says what asked ("SIGHUP", "admin API") for the log.
func (rl *reloader) reload(cause string) (reloadReport, error) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	rep, err := rl.apply()
	rl.metrics.record(err)
	rep.Reloads = rl.metrics.counts()
	if err != nil {
		rl.log.Error("reload failed; the running configuration stays", slog.String("cause", cause), slog.Any("error", err))
		return rep, err
	}
	rl.log.Info("configuration reloaded", slog.String("cause", cause), slog.String("file", rl.file),
		slog.Any("pools_added", rep.PoolsAdded), slog.Any("pools_removed", rep.PoolsRemoved))
	if len(rep.RestartRequired) > 0 {
		rl.log.Warn("reload: these sections changed but take effect only at restart", slog.Any("sections", rep.RestartRequired))
	}
	return rep, nil
}

// apply loads the file, plans the reload and applies it. pre: rl.mu held.
func (rl *reloader) apply() (reloadReport, error) {
	next, err := configs.Load(rl.file)
	if err != nil {
		return reloadReport{}, err
	}
	plan, err := planReload(rl.current(), next, rl.parts)
	if err != nil {
		return reloadReport{}, err
	}
	if err := plan.apply(rl.parts, rl.log); err != nil {
		return reloadReport{}, err
	}
	rl.cur.store(plan.next)
	return plan.report(), nil
}

// onSIGHUP reloads on every SIGHUP until the returned stop is called.
func (rl *reloader) onSIGHUP() (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_, _ = rl.reload("SIGHUP") // logged and counted
			}
		}
	})
	return func() { signal.Stop(hup); cancel(); wg.Wait() }
}

// withAdmin adds POST /admin/reload to the admin API h: 200 and the
// reloadReport, or 400 and {"error": "file:line: ...", "reloads": {...}}
// when the running configuration stays.
func (rl *reloader) withAdmin(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/reload", func(w http.ResponseWriter, _ *http.Request) {
		rep, err := rl.reload("admin API")
		if err != nil {
			writeAdminJSON(w, http.StatusBadRequest, reloadFailure{Error: err.Error(), Reloads: rep.Reloads})
			return
		}
		writeAdminJSON(w, http.StatusOK, rep)
	})
	mux.Handle("/", h)
	return mux
}

// reloadFailure is the answer of a failed reload.
type reloadFailure struct {
	Error   string       `json:"error"`
	Reloads reloadCounts `json:"reloads"`
}

// reloadCounts counts the reloads since serve started, by result.
type reloadCounts struct {
	Success uint64 `json:"success"`
	Error   uint64 `json:"error"`
}

// reloadMetrics counts reloads for Prometheus and for the admin API. It
// is safe for concurrent use.
type reloadMetrics struct {
	total      *prometheus.CounterVec
	successful prometheus.Gauge
	success    atomic.Uint64
	failure    atomic.Uint64
}

// newReloadMetrics registers the reload metrics with reg.
func newReloadMetrics(reg prometheus.Registerer) (*reloadMetrics, error) {
	m := &reloadMetrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sluice_config_reloads_total",
			Help: "Reloads of the configuration file (SIGHUP or POST /admin/reload), by result: success or error (the running configuration stayed).",
		}, []string{"result"}),
		successful: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sluice_config_last_reload_successful",
			Help: "Whether the latest reload of the configuration file succeeded (1) or not (0); 1 before any.",
		}),
	}
	m.total.WithLabelValues("success")
	m.total.WithLabelValues("error")
	m.successful.Set(1)
	if err := register(reg, m.total, m.successful); err != nil {
		return nil, err
	}
	return m, nil
}

// record counts one reload that failed with err, or succeeded.
func (m *reloadMetrics) record(err error) {
	if err != nil {
		m.failure.Add(1)
		m.total.WithLabelValues("error").Inc()
		m.successful.Set(0)
		return
	}
	m.success.Add(1)
	m.total.WithLabelValues("success").Inc()
	m.successful.Set(1)
}

func (m *reloadMetrics) counts() reloadCounts {
	return reloadCounts{Success: m.success.Load(), Error: m.failure.Load()}
}
