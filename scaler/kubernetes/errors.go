package kubernetes

import "errors"

// Errors returned by the Driver and the Elector. They are wrapped with the
// pool, object or offending value; test for them with errors.Is. Errors of
// the API server are wrapped too, so k8s.io/apimachinery/pkg/api/errors
// (IsForbidden, IsNotFound, ...) still recognises them.
var (
	// ErrNotLeader is returned by SetReplicas while Options.Leader reports
	// that this gateway replica does not hold the scaler's Lease. Nothing
	// was written; the replica that leads does the scaling.
	ErrNotLeader = errors.New("kubernetes: not the leader")
	// ErrUnknownPool is returned when a pool's Deployment does not exist.
	ErrUnknownPool = errors.New("kubernetes: unknown pool")
	// ErrInvalidReplicas is returned for a replica count that is negative
	// or does not fit a Deployment's int32.
	ErrInvalidReplicas = errors.New("kubernetes: invalid replica count")
	// ErrInvalidOptions is returned by New and NewElector for options they
	// cannot work with.
	ErrInvalidOptions = errors.New("kubernetes: invalid options")
	// ErrRunning is returned by Elector.Run while another Run of the same
	// Elector has not returned.
	ErrRunning = errors.New("kubernetes: elector already running")
)
