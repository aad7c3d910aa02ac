package app

import (
	"context"
	"log/slog"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
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

// startPools runs the pools' workers with the configured driver, which
// keeps rt told of the ready ones; stop stops them (the local driver's
// workers with them). The local driver starts workers with start, nil
// meaning child processes.
func startPools(ctx context.Context, in *inForce, rt *router.Router, start local.Starter, log *slog.Logger) (driver poolDriver, stop func(), err error) {
	if in.cfg.Scaler.Driver == configs.DriverKubernetes {
		return startKubePools(ctx, in.cfg, rt, log)
	}
	return startLocalPools(in.fleet, rt, start, log)
}

// startLocalPools runs each pool's initial workers, started by start (nil
// means child processes).
func startLocalPools(fleet costmodel.Fleet, rt *router.Router, start local.Starter, log *slog.Logger) (poolDriver, func(), error) {
	sup := local.New(local.Options{Start: start, Logger: log, OnChange: endpointSink(rt, log)})
	for _, p := range fleet.Pools {
		if err := sup.AddPool(local.PoolSpec{Name: p.Name, Args: workerArgs(p), Replicas: fleet.Bounds[p.Name].Initial}); err != nil {
			_ = sup.Close()
			return nil, nil, err
		}
	}
	return localDriver{sup}, func() { _ = sup.Close() }, nil
}
