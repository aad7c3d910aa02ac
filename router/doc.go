// Package router decides where a request goes: it maps a model to its tier,
// a tier to its ordered pools, and keeps, per pool, the workers that can
// take batches — one gRPC client per ready worker, fed to the pool's
// batcher, which pulls work whenever a worker is free.
//
// The router learns which workers exist through SetEndpoints, called by
// whoever runs the workers (local processes, Kubernetes). It never starts
// or stops workers itself.
package router
