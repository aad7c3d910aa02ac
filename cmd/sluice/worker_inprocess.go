package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sluice-gateway/sluice/scaler/local"
)

var _ local.Starter = startInProcessWorker

// startInProcessWorker is a local.Starter that runs a worker as goroutines
// of this process, serving OIP v2 on loopback exactly as `sluice worker`
// does with the same flags, instead of as a child process. Starting one
// costs no process: no exec, no runtime start, no package initialization
// of this binary, which on a small machine is what a burst of scale-ups
// spends most of its CPU on.
func startInProcessWorker(args []string, stdout, stderr io.Writer) (local.Process, error) {
	cfg, err := parseWorkerFlags(args, stderr)
	if err != nil {
		return nil, fmt.Errorf("worker flags %q: %w", args, err)
	}
	if cfg.exitOnStdinClose {
		return nil, fmt.Errorf("worker flags %q: an in-process worker has no stdin to watch", args)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &inProcessWorker{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.err = runWorkerConfig(ctx, cfg, nil, stdout, stderr)
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
