package xds

import "errors"

// Errors returned, wrapped with context, by Build, Server and the dump
// encoder.
var (
	// ErrInvalidView means a View breaks one of the rules documented on its
	// fields: a duplicate or missing name, a reference to an unknown pool or
	// tier, a port out of range, a negative duration.
	ErrInvalidView = errors.New("xds: invalid view")
	// ErrInvalidResource means a generated resource failed its proto
	// validation (ValidateAll).
	ErrInvalidResource = errors.New("xds: invalid resource")
	// ErrInconsistent means a snapshot references a resource it does not
	// hold, or holds one nothing references.
	ErrInconsistent = errors.New("xds: inconsistent snapshot")
	// ErrUnknownNode means no node of that ID has talked to the server
	// since it last disconnected.
	ErrUnknownNode = errors.New("xds: unknown node")
	// ErrNoSnapshot means nothing has been published yet.
	ErrNoSnapshot = errors.New("xds: no snapshot published yet")
)
