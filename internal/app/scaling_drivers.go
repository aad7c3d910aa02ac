package app

import (
	"context"
	"log/slog"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler/local"
)

// poolDriver runs the pools' workers; the scaler sizes the pools through
// it. Its methods are safe for concurrent use.
type poolDriver interface {
	// SetReplicas asks for n replicas of pool, n >= 0; it returns once
	// the request is accepted.
	SetReplicas(ctx context.Context, pool string, n int) error
	// Replicas returns how many replicas of pool are ready, and how many
	// more are starting.
	Replicas(ctx context.Context, pool string) (ready, starting int, err error)
}

// localDriver is the local supervisor as a poolDriver.
type localDriver struct{ sup *local.Supervisor }

var _ poolDriver = localDriver{}

// SetReplicas implements poolDriver.
func (d localDriver) SetReplicas(_ context.Context, pool string, n int) error {
	return d.sup.SetReplicas(pool, n)
}

// Replicas implements poolDriver; it never fails.
func (d localDriver) Replicas(_ context.Context, pool string) (ready, starting int, err error) {
	ready, starting = d.sup.Replicas(pool)
	return ready, starting, nil
}

// startPools runs and finds the pools' workers of in (see workers), the
// pools Sluice runs with the configured driver; stop stops them (the
// local driver's processes with them). The local driver starts workers
// with opts.Workers (nil meaning child processes); dns pools look their
// names up with opts.Resolver.
func startPools(ctx context.Context, in *inForce, rt *router.Router, opts Options, log *slog.Logger) (w *workers, stop func(), err error) {
	w = newWorkers(ctx, rt, nil, nil, opts.Resolver, log)
	if in.cfg.Scaler.Driver == configs.DriverKubernetes {
		// The Deployments' feed reads each pool's protocol from w.
		if err := w.start(in); err != nil {
			w.stop()
			return nil, nil, err
		}
		runs, stopKube, err := startKubePools(ctx, deploymentPools(in.cfg), rt, w.protocol, log)
		if err != nil {
			w.stop()
			return nil, nil, err
		}
		w.runs = runs
		return w, func() { w.stop(); stopKube() }, nil
	}
	w.sup = local.New(local.Options{Start: opts.Workers, Logger: log, OnChange: w.supervisorSink()})
	w.runs = localDriver{w.sup}
	stop = func() { w.stop(); _ = w.sup.Close() }
	if err := w.start(in); err != nil {
		stop()
		return nil, nil, err
	}
	return w, stop, nil
}

// deploymentPools names the pools of cfg that the Kubernetes driver runs.
func deploymentPools(cfg *configs.Config) []string {
	var names []string
	for _, p := range cfg.Pools {
		if p.Kind(cfg.Scaler.Driver) == configs.PoolDeployment {
			names = append(names, p.Name)
		}
	}
	return names
}
