package app

import (
	"reflect"

	"github.com/sluice-gateway/sluice/configs"
)

// keepRestartOnly sets next's restart-only settings — those serve reads
// only when it starts — to the running ones of old, so that next
// describes what runs, and names those next had changed. They are the
// listeners and what guards them (limits, TLS, admin token), the
// router's health checks, retry budget, cache size and calibration, and the scaler's
// interval, driver and dry run.
func keepRestartOnly(old, next *configs.Config) (changed []string) {
	for _, f := range []struct {
		name string
		keep func(next, old *configs.Config) bool
	}{
		{"listen", func(n, o *configs.Config) bool { return keep(&n.Listen, o.Listen) }},
		{"limits", func(n, o *configs.Config) bool { return keep(&n.Limits, o.Limits) }},
		{"tls", func(n, o *configs.Config) bool { return keep(&n.TLS, o.TLS) }},
		{"workers_tls", func(n, o *configs.Config) bool { return keep(&n.WorkersTLS, o.WorkersTLS) }},
		{"admin", func(n, o *configs.Config) bool { return keep(&n.Admin, o.Admin) }},
		{"health", func(n, o *configs.Config) bool { return keep(&n.Health, o.Health) }},
		{"retry", func(n, o *configs.Config) bool { return keep(&n.Retry, o.Retry) }},
		{"cache", func(n, o *configs.Config) bool { return keep(&n.Cache, o.Cache) }},
		{"calibration", func(n, o *configs.Config) bool { return keep(&n.Calibration, o.Calibration) }},
		{"state", func(n, o *configs.Config) bool { return keep(&n.State, o.State) }},
		{"scaler.interval", func(n, o *configs.Config) bool { return keep(&n.Scaler.Interval, o.Scaler.Interval) }},
		{"scaler.driver", func(n, o *configs.Config) bool { return keep(&n.Scaler.Driver, o.Scaler.Driver) }},
		{"scaler.dry_run", func(n, o *configs.Config) bool { return keep(&n.Scaler.DryRun, o.Scaler.DryRun) }},
	} {
		if f.keep(next, old) {
			changed = append(changed, f.name)
		}
	}
	return changed
}

// keep sets *dst to running and reports whether it was different.
func keep[T any](dst *T, running T) bool {
	changed := !reflect.DeepEqual(*dst, running)
	*dst = running
	return changed
}
