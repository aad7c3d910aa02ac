package local

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// recipe is how one start of a replica goes: what runs, where it listens
// (known before it starts, or announced by it), how its readiness is
// probed, how long it has to stop, and at what level its output is
// logged. Every pool's replicas, the emulator's and any Command's, start,
// are probed, restarted and stopped through one.
type recipe struct {
	// start starts the process with its output going to stdout and stderr.
	start func(stdout, stderr io.Writer) (Process, error)
	// addrs are where the replica listens; zero when announce.
	addrs addrs
	// announce means the replica writes its addresses as the first line
	// of its stdout, within Options.StartTimeout.
	announce bool
	// readyPath is the HTTP path probed on addrs.HTTP; empty means a
	// connection to addrs.GRPC is the probe.
	readyPath string
	// protocol is how routing reaches the replica (Endpoint.Protocol).
	protocol string
	// grace is the time between Terminate and Kill.
	grace time.Duration
	// level is the level its output lines are logged at.
	level slog.Level
}

// recipe returns how worker w of a pool of spec starts now.
func (s *Supervisor) recipe(w *worker, spec PoolSpec) (recipe, error) {
	c := spec.Command
	if c == nil {
		args := workerArgs(w.id, spec.Args)
		return recipe{
			start:     func(stdout, stderr io.Writer) (Process, error) { return s.opts.Start(args, stdout, stderr) },
			announce:  true,
			readyPath: DefaultReadyPath,
			protocol:  ProtocolGRPC,
			grace:     s.opts.StopGrace,
			// The emulator logs its own start and stop; the supervisor
			// already logs both, so its output matters only when
			// debugging.
			level: slog.LevelDebug,
		}, nil
	}
	st, err := c.prepare(w.pool, w.id)
	if err != nil {
		return recipe{}, err
	}
	r := recipe{
		start: func(stdout, stderr io.Writer) (Process, error) {
			return execStart(st, c.Dir, c.StopSignal, stdout, stderr)
		},
		addrs:    st.addrs,
		protocol: c.protocol(),
		grace:    orDefault(c.StopTimeout, s.opts.StopGrace),
		level:    slog.LevelInfo,
	}
	if st.addrs.HTTP != "" {
		r.readyPath = orPath(c.ReadyPath, DefaultReadyPath)
	}
	return r, nil
}

func orPath(p, def string) string {
	if p == "" {
		return def
	}
	return p
}

// launch starts worker id by r and returns once its addresses are known:
// at once for a replica whose ports were chosen for it, after its address
// line for one that announces. It kills the worker and fails, wrapping
// ErrAnnounce, if the worker exits, misannounces or stays silent for the
// start timeout, and with ctx's error if ctx is done first.
func (s *Supervisor) launch(ctx context.Context, id, pool string, r recipe) (*process, error) {
	out := newOutput(s.log.With("pool", pool, "worker", id), r.level, s.opts.OutputRate, s.opts.OutputBurst)
	stdout, stderr := out.writer("stdout"), out.writer("stderr")
	var sink io.Writer = stdout
	var an *announcer
	if r.announce {
		an = newAnnouncer(stdout)
		sink = an
	}
	proc, err := r.start(sink, stderr)
	if err != nil {
		return nil, fmt.Errorf("local: worker %s: %w", id, err)
	}
	p := &process{proc: proc, addrs: r.addrs, recipe: r, started: time.Now(), done: make(chan struct{})}
	go p.wait(out, stdout, stderr)
	if an == nil {
		return p, nil
	}
	if err := p.awaitAnnounce(ctx, id, an.result, s.opts.StartTimeout); err != nil {
		return nil, err
	}
	return p, nil
}
