package worker

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/sluice-gateway/sluice/scaler/local"
)

// errInProcessStdin refuses --exit-on-stdin-close for a worker of this
// process, which has no stdin of its own.
var errInProcessStdin = errors.New("an in-process worker has no stdin to watch")

// InProcess starts workers as goroutines of this process, each serving
// OIP v2 on its own loopback ports exactly as `sluice worker` does with
// the same flags, instead of as child processes. Starting one costs no
// process: no exec, no runtime start, no package initialization, which on
// a small machine is what a burst of scale-ups spends most of its CPU on.
// The zero value starts workers as their flags say.
type InProcess struct {
	// Configure, if not nil, amends each worker's options, parsed from
	// its flags, before it starts: fault modes for a test, for instance.
	Configure func(*Options)
	// Started, if not nil, is told of each worker's Server and the
	// addresses it listens on, before it serves. It may be called from
	// several goroutines at once.
	Started func(*Server, Announcement)
}

var _ local.Starter = InProcess{}.Start

// Start is a local.Starter: it parses args as `sluice worker` does (a
// worker logs to stderr, as text from the info level) and serves the
// worker until the returned process is terminated. It fails for flags
// that do not parse, options New refuses, and --exit-on-stdin-close.
func (ip InProcess) Start(args []string, stdout, stderr io.Writer) (local.Process, error) {
	var f Flags
	fs := flag.NewFlagSet("sluice worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.Register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("worker flags %q: %w", args, err)
	}
	if f.ExitOnStdinClose || fs.NArg() > 0 {
		return nil, fmt.Errorf("worker flags %q: %w", args, errInProcessStdin)
	}
	if ip.Configure != nil {
		ip.Configure(&f.Options)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	f.Options.Logger = log
	s, err := New(f.Options)
	if err != nil {
		return nil, fmt.Errorf("worker flags %q: %w", args, err)
	}
	httpLn, grpcLn, err := listenBoth(f.HTTP, f.GRPC)
	if err != nil {
		return nil, err
	}
	a := Announcement{HTTP: httpLn.Addr().String(), GRPC: grpcLn.Addr().String()}
	if ip.Started != nil {
		ip.Started(s, a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &inProcessWorker{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.err = s.announceAndServe(ctx, httpLn, grpcLn, stdout)
		logOutcome(log, w.err)
	}()
	return w, nil
}

// inProcessWorker is a worker served by goroutines of this process.
type inProcessWorker struct {
	stop context.CancelFunc
	done chan struct{} // closed when the worker has stopped
	err  error         // how it stopped; read only after done
}

// Pid returns 0: the worker is not a process of its own.
func (w *inProcessWorker) Pid() int { return 0 }

// Terminate stops the worker as SIGTERM stops `sluice worker`: in-flight
// requests get the worker's grace, then the rest is closed.
func (w *inProcessWorker) Terminate() error {
	w.stop()
	return nil
}

// Kill is Terminate: goroutines cannot be killed, and the grace bounds
// the stop.
func (w *inProcessWorker) Kill() error { return w.Terminate() }

// Wait returns once the worker has stopped, nil after a clean stop.
func (w *inProcessWorker) Wait() error {
	<-w.done
	return w.err
}
