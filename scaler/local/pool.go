package local

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// PoolSpec describes one pool of identical workers.
type PoolSpec struct {
	// Name identifies the pool; it must not be empty. Its workers are
	// named Name-1, Name-2, … in the order they are created.
	Name string
	// Command runs each worker as a process of any program (see Command);
	// nil runs the emulator, `sluice worker` (Options.Command or
	// Options.Start), with Args.
	Command *Command
	// Args are the emulator's flags beyond the ones the Supervisor sets
	// (--name, --http, --grpc, --exit-on-stdin-close), for example
	// {"--base", "32ms", "--per-item", "4ms"}. Nil means none; a pool
	// with a Command has none.
	Args []string
	// Replicas is the number of workers to run at first; it must be >= 0.
	Replicas int
}

// reservedFlags are the worker flags the Supervisor sets itself.
var reservedFlags = []string{"name", "http", "grpc", "exit-on-stdin-close"}

// validate reports why the Supervisor cannot run s, or nil.
func (s PoolSpec) validate() error {
	if strings.TrimSpace(s.Name) == "" || strings.ContainsAny(s.Name, " \t\r\n") {
		return fmt.Errorf("%w: name %q must be non-empty without spaces", ErrInvalidSpec, s.Name)
	}
	if s.Replicas < 0 {
		return fmt.Errorf("%w: pool %q: replicas = %d, must be >= 0", ErrInvalidSpec, s.Name, s.Replicas)
	}
	if s.Command != nil {
		if len(s.Args) > 0 {
			return fmt.Errorf("%w: pool %q: args %q are the emulator's, and the pool runs a command", ErrInvalidSpec, s.Name, s.Args)
		}
		return s.Command.validate(s.Name)
	}
	for _, arg := range s.Args {
		if flag, ok := flagName(arg); ok && slices.Contains(reservedFlags, flag) {
			return fmt.Errorf("%w: pool %q: args set %q, which the supervisor sets itself", ErrInvalidSpec, s.Name, arg)
		}
	}
	return nil
}

// flagName returns the name of a command-line flag such as "--http=x" or
// "-http", and false if arg is not a flag.
func flagName(arg string) (string, bool) {
	if !strings.HasPrefix(arg, "-") || arg == "-" || arg == "--" {
		return "", false
	}
	name := strings.TrimLeft(arg, "-")
	name, _, _ = strings.Cut(name, "=")
	return name, true
}

// Endpoint is one worker as routing sees it.
type Endpoint struct {
	// ID names the worker, "<pool>-<n>"; it stays the same across restarts.
	ID string
	// Pool is the name of the worker's pool.
	Pool string
	// HTTP and GRPC are the host:port the worker listens on; one of them
	// is empty for a Command that uses one port only.
	HTTP, GRPC string
	// Protocol is how routing reaches the worker: ProtocolGRPC at GRPC,
	// or ProtocolHTTP at HTTP.
	Protocol string
	// Ready reports whether the worker passes its readiness probe.
	Ready bool
}

// addrs are the addresses a worker announces once it listens.
type addrs struct {
	HTTP string `json:"http"`
	GRPC string `json:"grpc"`
}

// worker is one replica of a pool. Its runner goroutine starts the process
// and restarts it when it exits; cancel asks the runner to stop for good.
type worker struct {
	id     string
	pool   string
	seq    int
	ctx    context.Context // done once the worker is asked to stop
	cancel context.CancelFunc

	// Guarded by Supervisor.mu.
	addrs    addrs  // zero while no process has announced
	protocol string // of the running process
	pid      int    // 0 while no process runs
	ready    bool
	drain    bool // stopped by a scale-down: wait DrainDelay before SIGTERM
}

func (w *worker) endpoint() Endpoint {
	return Endpoint{ID: w.id, Pool: w.pool, HTTP: w.addrs.HTTP, GRPC: w.addrs.GRPC, Protocol: w.protocol, Ready: w.ready}
}

// pool is the Supervisor's state for one PoolSpec; guarded by
// Supervisor.mu.
type pool struct {
	spec     PoolSpec
	seq      int       // sequence number of the newest worker
	workers  []*worker // workers not asked to stop, oldest first
	restarts int       // processes that exited or failed to start, not asked to
}

// newWorker appends a worker to p and returns it; the caller starts its
// runner.
func (p *pool) newWorker(parent context.Context) *worker {
	p.seq++
	ctx, cancel := context.WithCancel(parent)
	w := &worker{
		id:     fmt.Sprintf("%s-%d", p.spec.Name, p.seq),
		pool:   p.spec.Name,
		seq:    p.seq,
		ctx:    ctx,
		cancel: cancel,
	}
	p.workers = append(p.workers, w)
	return w
}

// remove takes the given workers out of p.
func (p *pool) remove(gone []*worker) {
	p.workers = slices.DeleteFunc(p.workers, func(w *worker) bool {
		return slices.Contains(gone, w)
	})
}

// endpoints returns the workers that have announced their addresses,
// oldest first; with readyOnly, only the ready ones.
func (p *pool) endpoints(readyOnly bool) []Endpoint {
	var eps []Endpoint
	for _, w := range p.workers {
		if w.addrs != (addrs{}) && (w.ready || !readyOnly) {
			eps = append(eps, w.endpoint())
		}
	}
	return eps
}

// counts returns how many workers are ready and how many are not (starting,
// restarting, or failing their probes).
func (p *pool) counts() (ready, starting int) {
	for _, w := range p.workers {
		if w.ready {
			ready++
		}
	}
	return ready, len(p.workers) - ready
}

// victims returns the n workers a scale-down stops: workers that are not
// ready first, then the newest. It does not change ws.
func victims(ws []*worker, n int) []*worker {
	n = min(max(n, 0), len(ws))
	order := slices.Clone(ws)
	slices.SortStableFunc(order, func(a, b *worker) int {
		if a.ready != b.ready {
			if a.ready {
				return 1
			}
			return -1
		}
		return cmp.Compare(b.seq, a.seq)
	})
	return order[:n]
}
