package local

import "errors"

// Errors returned by the Supervisor. They are wrapped with the pool name or
// the offending value; test for them with errors.Is.
var (
	// ErrClosed is returned by AddPool, SetReplicas, SetArgs and
	// RemovePool after Close.
	ErrClosed = errors.New("local: supervisor closed")
	// ErrUnknownPool is returned for a pool that AddPool never added.
	ErrUnknownPool = errors.New("local: unknown pool")
	// ErrPoolExists is returned by AddPool for a name already added.
	ErrPoolExists = errors.New("local: pool already exists")
	// ErrInvalidSpec is returned by AddPool for a PoolSpec it cannot run.
	ErrInvalidSpec = errors.New("local: invalid pool spec")
	// ErrInvalidReplicas is returned for a negative replica count.
	ErrInvalidReplicas = errors.New("local: invalid replica count")
	// ErrAnnounce means a worker exited, timed out or wrote something other
	// than its address line before announcing where it listens.
	ErrAnnounce = errors.New("local: worker did not announce its addresses")
)
