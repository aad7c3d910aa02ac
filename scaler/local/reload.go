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
	if p.spec.Command != nil && len(args) > 0 {
		return fmt.Errorf("%w: pool %q: args %q are the emulator's, and the pool runs a command", ErrInvalidSpec, pool, args)
	}
	p.spec.Args = spec.Args
	return nil
}

// SetCommand replaces the Command of a pool's workers (PoolSpec.Command),
// which it copies; nil runs the emulator. Every process started from then
// on, by a scale-up or a restart, runs it; running processes keep theirs
// until they exit. The pool's Args are kept for the emulator, and must be
// empty for a command. It fails, changing nothing, wrapping
// ErrInvalidSpec, ErrUnknownPool or ErrClosed.
func (s *Supervisor) SetCommand(pool string, c *Command) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%w: set command of pool %q", ErrClosed, pool)
	}
	p, ok := s.pools[pool]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownPool, pool)
	}
	spec := p.spec
	spec.Command = c.clone()
	if err := spec.validate(); err != nil {
		return err
	}
	p.spec = spec
	return nil
}

// spec returns the spec a new process of w's pool starts with: the
// pool's current one, or last when the pool was removed.
func (s *Supervisor) spec(w *worker, last PoolSpec) PoolSpec {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pools[w.pool]; ok && slices.Contains(p.workers, w) {
		return p.spec
	}
	return last
}
