package local

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
)

// Supervisor runs pools of workers, as its child processes unless
// Options.Start says otherwise, keeps each
// pool at its replica count, restarts workers that exit, probes their
// readiness, and reports each pool's ready endpoints through
// Options.OnChange.
//
// Create one with New; the zero value is not usable. All methods are safe
// for concurrent use. AddPool and SetReplicas return at once; workers start
// and stop in the background, one goroutine each, and Close waits for them.
type Supervisor struct {
	opts      Options
	log       *slog.Logger
	transport *http.Transport
	prober    prober
	ctx       context.Context // done once Close starts; parent of every worker's
	cancel    context.CancelFunc
	wg        sync.WaitGroup // one per worker goroutine

	mu     sync.Mutex
	pools  map[string]*pool
	closed bool

	notifyMu  sync.Mutex            // serializes OnChange
	delivered map[string][]Endpoint // what OnChange last got per pool; guarded by notifyMu
}

// New returns a Supervisor with no pools. Fields of opts left zero take
// their defaults (see Options).
func New(opts Options) *Supervisor {
	opts = opts.withDefaults()
	// A probe's connection is not kept: a server that finishes its
	// connections before it stops (Python's http.server does) must not
	// wait for the supervisor's.
	transport := &http.Transport{DisableKeepAlives: true, DisableCompression: true}
	ctx, cancel := context.WithCancel(context.Background())
	return &Supervisor{
		opts:      opts,
		log:       opts.Logger,
		transport: transport,
		prober:    prober{client: &http.Client{Transport: transport}, timeout: opts.ProbeTimeout},
		ctx:       ctx,
		cancel:    cancel,
		pools:     make(map[string]*pool),
		delivered: make(map[string][]Endpoint),
	}
}

// AddPool adds a pool and starts spec.Replicas workers for it. It fails,
// wrapping ErrInvalidSpec, ErrPoolExists or ErrClosed, without starting
// anything. The Supervisor keeps a copy of spec.
func (s *Supervisor) AddPool(spec PoolSpec) error {
	if err := spec.validate(); err != nil {
		return err
	}
	spec.Args, spec.Command = slices.Clone(spec.Args), spec.Command.clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%w: add pool %q", ErrClosed, spec.Name)
	}
	if _, ok := s.pools[spec.Name]; ok {
		return fmt.Errorf("%w: %q", ErrPoolExists, spec.Name)
	}
	p := &pool{spec: spec}
	s.pools[spec.Name] = p
	s.resize(p, spec.Replicas)
	return nil
}

// SetReplicas resizes a pool to n workers, n >= 0. Growing starts new
// workers; shrinking picks workers that are not ready first, then the
// newest, takes them out of routing at once (OnChange), and stops each
// after Options.DrainDelay with its stop signal, then SIGKILL after its
// grace (see Close). It fails, wrapping ErrInvalidReplicas, ErrUnknownPool
// or ErrClosed.
func (s *Supervisor) SetReplicas(pool string, n int) error {
	if n < 0 {
		return fmt.Errorf("%w: pool %q: %d, must be >= 0", ErrInvalidReplicas, pool, n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%w: resize pool %q", ErrClosed, pool)
	}
	p, ok := s.pools[pool]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownPool, pool)
	}
	s.resize(p, n)
	return nil
}

// resize starts or stops workers until p has n. The caller holds s.mu.
func (s *Supervisor) resize(p *pool, n int) {
	for len(p.workers) < n {
		w := p.newWorker(s.ctx)
		s.wg.Add(1)
		go s.run(w, p.spec)
	}
	s.stop(p, victims(p.workers, len(p.workers)-n), true)
}

// stop takes workers out of p and asks their goroutines to stop them; with
// drain, the ready ones get Options.DrainDelay before SIGTERM. The caller
// holds s.mu.
func (s *Supervisor) stop(p *pool, workers []*worker, drain bool) {
	p.remove(workers)
	for _, w := range workers {
		w.drain = drain && w.ready
		w.cancel()
	}
}

// Endpoints returns the workers of a pool that have announced their
// addresses, ready or not, oldest first, in a fresh slice. Workers being
// stopped are left out. It returns nil for an unknown pool.
func (s *Supervisor) Endpoints(pool string) []Endpoint {
	return s.endpoints(pool, false)
}

func (s *Supervisor) endpoints(pool string, readyOnly bool) []Endpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pools[pool]; ok {
		return p.endpoints(readyOnly)
	}
	return nil
}

// Replicas returns how many workers of a pool are ready, and how many are
// starting, restarting or failing their probes. Workers being stopped are
// not counted. It returns 0, 0 for an unknown pool.
func (s *Supervisor) Replicas(pool string) (ready, starting int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pools[pool]; ok {
		return p.counts()
	}
	return 0, 0
}

// Restarts returns how many times a worker process of the pool exited or
// failed to start without being asked to stop, since AddPool; each was
// started again, with back-off. It returns 0 for an unknown pool.
func (s *Supervisor) Restarts(pool string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pools[pool]; ok {
		return p.restarts
	}
	return 0
}

// Close stops every worker: each leaves routing (OnChange), gets its stop
// signal at once (SIGTERM, or its Command's), and SIGKILL if it has not
// exited after its grace (Options.StopGrace, or its Command's
// StopTimeout). Close
// returns when all workers have exited and every goroutine of the
// Supervisor has ended; later calls return at once. AddPool and
// SetReplicas fail after Close. The error is always nil.
func (s *Supervisor) Close() error {
	s.mu.Lock()
	s.closed = true
	for _, p := range s.pools {
		s.stop(p, slices.Clone(p.workers), false)
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.transport.CloseIdleConnections()
	return nil
}

// notify calls OnChange if the pool's ready endpoints differ from what it
// last got. It returns after the call, so a worker that notify has taken
// out of routing can be stopped safely.
func (s *Supervisor) notify(pool string) {
	if s.opts.OnChange == nil {
		return
	}
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	eps := s.endpoints(pool, true)
	if slices.Equal(eps, s.delivered[pool]) {
		return
	}
	s.delivered[pool] = eps
	s.opts.OnChange(pool, slices.Clone(eps))
}
