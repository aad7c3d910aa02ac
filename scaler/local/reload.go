package local

import (
	"fmt"
	"slices"
)

// RemovePool stops every worker of pool as a scale-down to zero would —
// each leaves routing (Options.OnChange gets the pool's empty set last),
// gets Options.DrainDelay, then SIGTERM and, after Options.StopGrace,
// SIGKILL — and forgets the pool, whose name AddPool may take again. It
// returns at once; Close still waits for the stopping workers. It fails,
// wrapping ErrUnknownPool or ErrClosed.
func (s *Supervisor) RemovePool(pool string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%w: remove pool %q", ErrClosed, pool)
	}
	p, ok := s.pools[pool]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownPool, pool)
	}
	s.stop(p, slices.Clone(p.workers), true)
	delete(s.pools, pool)
	return nil
}

// SetArgs replaces the flags of a pool's workers (PoolSpec.Args), which
// it copies. Every process started from then on, by a scale-up or a
// restart, runs with args; running processes keep theirs until they
// exit. It fails, changing nothing, wrapping ErrInvalidSpec (a flag the
// Supervisor sets itself), ErrUnknownPool or ErrClosed.
func (s *Supervisor) SetArgs(pool string, args []string) error {
	spec := PoolSpec{Name: pool, Args: slices.Clone(args)}
	if err := spec.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%w: set args of pool %q", ErrClosed, pool)
	}
	p, ok := s.pools[pool]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownPool, pool)
	}
	p.spec.Args = spec.Args
	return nil
}

// args returns the flags a new process of w's pool starts with: the
// pool's current ones, or last when the pool was removed.
func (s *Supervisor) args(w *worker, last []string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pools[w.pool]; ok && slices.Contains(p.workers, w) {
		return p.spec.Args
	}
	return last
}
