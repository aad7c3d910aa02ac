package worker

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"time"
)

// Flags are what the flags of `sluice worker` say: the server's Options,
// the addresses it listens on and whether it watches its stdin. The
// local driver passes them to every worker it starts, as a child process
// or in this process (see InProcess).
type Flags struct {
	Options Options
	// HTTP and GRPC are the TCP addresses to listen on; port 0 picks a
	// free port.
	HTTP, GRPC string
	// ExitOnStdinClose stops the worker gracefully once stdin reaches end
	// of file, so that a supervisor's death stops its workers.
	ExitOnStdinClose bool
}

// Register adds the worker's flags to fs with their defaults: a worker
// named DefaultName on free loopback ports whose batches take 5 ms + 1 ms
// per row, unlimited, ready at once, without faults. Parsing fs sets f.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Options.Name, "name", DefaultName, "worker `name`, reported by server metadata and logs")
	fs.StringVar(&f.HTTP, "http", "127.0.0.1:0", "`address` for OIP v2 over HTTP; port 0 picks a free port")
	fs.StringVar(&f.GRPC, "grpc", "127.0.0.1:0", "`address` for OIP v2 over gRPC; port 0 picks a free port")
	fs.DurationVar(&f.Options.Base, "base", 5*time.Millisecond, "fixed latency of every batch on the emulated device")
	fs.DurationVar(&f.Options.PerItem, "per-item", time.Millisecond, "latency each row adds to a batch")
	fs.IntVar(&f.Options.MaxBatch, "max-batch", 0, "most `rows` one request may carry, more is rejected; 0 means unlimited")
	fs.DurationVar(&f.Options.ColdStart, "cold-start", 0, "time after start during which the worker is live but not ready")
	fs.Float64Var(&f.Options.Slowdown, "slowdown", 1, "fault mode: multiply every batch's latency by this `factor`, a replica slower than its curve")
	fs.BoolVar(&f.Options.Garbage, "garbage", false, "fault mode: answer every inference with a malformed response (wrong shape, truncated, not JSON) in turn")
	fs.BoolVar(&f.ExitOnStdinClose, "exit-on-stdin-close", false, "stop gracefully when stdin reaches end of file, so a supervisor's death stops the worker")
}

// Serve serves as f says until ctx is done, or stdin reaches end of file
// when f.ExitOnStdinClose, announcing its addresses on stdout (see Run)
// and logging to log, the outcome included. It returns nil after a clean
// stop, and an error wrapping ErrOptions for options New refuses.
func (f Flags) Serve(ctx context.Context, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	f.Options.Logger = log
	if f.ExitOnStdinClose {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go stopAtEOF(stdin, cancel, log)
	}
	err := Run(ctx, f.Options, f.HTTP, f.GRPC, stdout)
	logOutcome(log, err)
	return err
}

// logOutcome logs how a worker stopped, unless cleanly.
func logOutcome(log *slog.Logger, err error) {
	switch {
	case err == nil:
	case errors.Is(err, ErrOptions):
		log.Error("worker: bad flags", "err", err)
	default:
		log.Error("worker stopped", "err", err)
	}
}

// stopAtEOF reads r to its end, then calls stop.
func stopAtEOF(r io.Reader, stop context.CancelFunc, log *slog.Logger) {
	_, err := io.Copy(io.Discard, r)
	log.Info("worker: stdin closed, stopping", "err", err)
	stop()
}
