package app

import (
	"syscall"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/scaler/local"
)

// stopSignals maps each name configs.StopSignals holds to its signal.
var stopSignals = map[string]syscall.Signal{
	"SIGTERM": syscall.SIGTERM,
	"SIGINT":  syscall.SIGINT,
	"SIGQUIT": syscall.SIGQUIT,
	"SIGHUP":  syscall.SIGHUP,
}

// commandOf translates a command pool's worker of cfg into the local
// driver's Command, its directory taken from that of cfg's file. pre: w
// is validated, its defaults filled.
func commandOf(cfg *configs.Config, w configs.Worker) *local.Command {
	return &local.Command{
		Argv: w.Command, Env: w.Env, Dir: cfg.Path(w.Dir),
		Protocol: w.Protocol, ReadyPath: w.ReadyPath,
		StopSignal: stopSignals[w.StopSignal], StopTimeout: w.StopTimeout,
	}
}

// localSpec is pool p of what in holds as the supervisor runs it, at
// size: its command, or the emulator with the flags of its curve.
func localSpec(in *inForce, p configs.Pool, size int) local.PoolSpec {
	spec := local.PoolSpec{Name: p.Name, Replicas: size}
	if p.Worker != nil {
		spec.Command = commandOf(in.cfg, *p.Worker)
	} else {
		cost, _ := in.fleet.Pool(p.Name)
		spec.Args = workerArgs(cost)
	}
	return spec
}
