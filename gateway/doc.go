// Package gateway is Sluice's front door: the Open Inference Protocol v2
// over HTTP (chi) and gRPC. Both front ends turn a call into the same
// transport-neutral request — model, tensors, deadline, priority — and hand
// it to one core that routes it to a pool's batcher and waits for the
// answer. Errors map to HTTP statuses and gRPC codes through one table.
//
// The gateway neither starts workers nor decides capacity; it reads the
// router and submits to batchers.
package gateway
