package configs

import (
	"fmt"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// DefaultPoolMaxBatch is a pool's largest batch: no batching.
const DefaultPoolMaxBatch = 1

// DefaultMaxBatchBytes is a pool's largest batch in bytes of tensor data:
// 48 MiB, under the 64 MiB a `sluice worker` accepts in one message, with
// room for the message's own framing.
const DefaultMaxBatchBytes = 48 << 20

// Pool is a group of identical workers.
type Pool struct {
	// Name is unique among pools and a DNS-1123 label (lower-case letters,
	// digits and '-', starting and ending with a letter or digit, at most
	// 63 characters), since it also names processes and Kubernetes objects.
	Name string `yaml:"name"`
	// PricePerHour is the price of one replica in USD per hour; >= 0.
	PricePerHour float64 `yaml:"price_per_hour"`
	// Spot marks interruptible capacity; default false (on-demand).
	Spot bool `yaml:"spot"`
	// Curve is the latency of a batch of b items on one replica: either
	// base >= 0, per_item >= 0 and base + per_item > 0, or points sorted by
	// strictly increasing batch >= 1 with latencies > 0 and non-decreasing
	// (not both). Required for emulated workers (PoolEmulator); a pool of
	// real model servers may leave it out (zero): Sluice then measures it
	// when the first worker attaches (see Calibration) and learns it from
	// traffic.
	Curve costmodel.Curve `yaml:"curve"`
	// MaxBatch is the largest batch a replica takes; >= 1, default 1
	// (DefaultPoolMaxBatch).
	MaxBatch int `yaml:"max_batch"`
	// MaxBatchBytes is the largest batch a replica takes in bytes of
	// tensor data (a BYTES element counts its 4-byte length too): no
	// batch sent to the pool is larger, and a request larger on its own
	// goes to another pool of its tier, or is refused with 413 /
	// RESOURCE_EXHAUSTED when none takes it. Set it under the workers'
	// own limit on one message (gRPC servers default to 4 MiB; Triton's
	// is 2 GiB; `sluice worker` takes 64 MiB). >= 1, default 48 MiB
	// (DefaultMaxBatchBytes).
	MaxBatchBytes int64 `yaml:"max_batch_bytes"`
	// ColdStart is how long a new replica takes to become ready; >= 0.
	ColdStart time.Duration `yaml:"cold_start"`
	// Replicas bounds the pool's size. A pool whose size its addresses
	// give (endpoints, dns) is not resized by Sluice: its bounds are what
	// the scaler plans within and publishes to an external actuator
	// (KEDA). An endpoints pool without replicas has as many as it lists
	// (min, initial and max).
	Replicas Replicas `yaml:"replicas"`

	// Who runs the pool's workers (workers.go): at most one of Worker,
	// Endpoints and DNS; none runs the emulator, `sluice worker`, under
	// the local driver, and the pool's Deployment under the Kubernetes
	// driver (see Kind).

	// Worker runs each replica as a process of any program, under the
	// local driver; nil runs the emulator.
	Worker *Worker `yaml:"worker"`
	// Endpoints are the host:port addresses of workers Sluice routes to
	// but does not start, each listed once.
	Endpoints []string `yaml:"endpoints"`
	// DNS is a name:port whose every address is a worker, looked up
	// again every DNSInterval.
	DNS string `yaml:"dns"`
	// DNSInterval is the time between two lookups of DNS; > 0, default
	// 10s (DefaultDNSInterval); only with DNS.
	DNSInterval time.Duration `yaml:"dns_interval"`
	// Protocol is how batches reach the workers of a pool with Endpoints
	// or DNS, or under the Kubernetes driver: grpc (the default,
	// DefaultWorkerProtocol, which a Deployment pool's empty Protocol
	// stands for) or http. A command's protocol is Worker.Protocol;
	// emulated workers speak grpc.
	Protocol string `yaml:"protocol"`
}

// Replicas bounds a pool: 0 <= Min <= Initial <= Max and Max >= 1.
type Replicas struct {
	// Min is the floor the scaler never goes below; default 0 (the pool
	// may scale to zero).
	Min int `yaml:"min"`
	// Initial is the size the pool starts at. 0 means the default,
	// max(Min, 1): a pool always starts with at least one replica, so the
	// first requests need not wait for a cold start.
	Initial int `yaml:"initial"`
	// Max is the largest size. 0 means the default, max(Initial, 1).
	Max int `yaml:"max"`
	// Warm is how many ready replicas the scaler keeps spare beyond
	// demand; >= 0, default 0.
	Warm int `yaml:"warm"`
}

// CostModel returns the pool as the cost model sees it: name, price, spot,
// curve, max batch and cold start. The returned Pool shares the curve's
// Points with p.
func (p Pool) CostModel() costmodel.Pool {
	return costmodel.Pool{
		Name:         p.Name,
		PricePerHour: p.PricePerHour,
		Spot:         p.Spot,
		Curve:        p.Curve,
		MaxBatch:     p.MaxBatch,
		ColdStart:    p.ColdStart,
	}
}

// Fleet returns the pools as the cost model sees them (see
// Pool.CostModel), in the configuration's order, with their replica
// bounds: the one description of the pools the rest of Sluice is handed.
// pre: c has its defaults.
func (c *Config) Fleet() costmodel.Fleet {
	f := costmodel.Fleet{Pools: make([]costmodel.Pool, len(c.Pools)), Bounds: make(map[string]costmodel.Bounds, len(c.Pools))}
	for i, p := range c.Pools {
		f.Pools[i] = p.CostModel()
		f.Bounds[p.Name] = costmodel.Bounds{Min: p.Replicas.Min, Initial: p.Replicas.Initial, Max: p.Replicas.Max, Warm: p.Replicas.Warm}
	}
	return f
}

// applyDefaults fills the pool's defaults under driver (scaler.driver,
// its default filled).
func (p *Pool) applyDefaults(driver string) {
	fillIfZero(&p.MaxBatch, DefaultPoolMaxBatch)
	if n := len(p.Endpoints); n > 0 && p.Replicas == (Replicas{}) {
		p.Replicas = Replicas{Min: n, Initial: n, Max: n}
	}
	fillIfZero(&p.MaxBatchBytes, DefaultMaxBatchBytes)
	p.Replicas.applyDefaults()
	p.applyWorkerDefaults(p.Kind(driver))
}

func (r *Replicas) applyDefaults() {
	fillIfZero(&r.Initial, max(r.Min, 1))
	fillIfZero(&r.Max, max(r.Initial, 1))
}

// pools checks the pools under driver (scaler.driver) and returns the set
// of their non-empty names.
func (c *checker) pools(ps []Pool, driver string) map[string]bool {
	if len(ps) == 0 {
		c.addf("pools", "at least one pool is required")
	}
	names, used := map[string]bool{}, map[string]string{}
	for i, p := range ps {
		f := fmt.Sprintf("pools[%d]", i)
		if c.name(f+".name", p.Name, used) {
			c.label(f+".name", p.Name)
		}
		names[p.Name] = p.Name != ""
		c.pool(f, p, driver)
	}
	return names
}

func (c *checker) pool(f string, p Pool, driver string) {
	c.nonNegativeNumber(f+".price_per_hour", p.PricePerHour)
	if p.MaxBatch < 1 {
		c.addf(f+".max_batch", "%d must be >= 1", p.MaxBatch)
	}
	if !p.Curve.IsZero() {
		c.curve(f+".curve", p.Curve)
	}
	if p.MaxBatchBytes < 1 {
		c.addf(f+".max_batch_bytes", "%d must be >= 1", p.MaxBatchBytes)
	}
	c.nonNegative(f+".cold_start", p.ColdStart)
	c.replicas(f+".replicas", p.Replicas)
	c.workers(f, p, driver)
}

func (c *checker) replicas(f string, r Replicas) {
	if r.Min < 0 {
		c.addf(f+".min", "%d must be >= 0", r.Min)
	}
	if r.Initial < 0 {
		c.addf(f+".initial", "%d must be >= 0", r.Initial)
	}
	if r.Max < 1 {
		c.addf(f+".max", "%d must be >= 1", r.Max)
	}
	switch {
	case r.Min > r.Max:
		c.addf(f+".min", "%d must be <= max %d", r.Min, r.Max)
	case r.Initial < r.Min || r.Initial > r.Max:
		c.addf(f+".initial", "%d must be between min %d and max %d", r.Initial, r.Min, r.Max)
	}
}

// curve checks a pool's capacity curve: a line (base, per_item) or
// measured points, not both.
func (c *checker) curve(f string, cv costmodel.Curve) {
	if len(cv.Points) == 0 {
		c.linearCurve(f, cv.Base, cv.PerItem)
		return
	}
	if cv.Base != 0 || cv.PerItem != 0 {
		c.addf(f+".points", "must not be set together with base or per_item")
	}
	for i, p := range cv.Points {
		c.curvePoint(fmt.Sprintf("%s.points[%d]", f, i), p, cv.Points[:i])
	}
}

// linearCurve checks a curve given as base + per_item × b.
func (c *checker) linearCurve(f string, base, perItem time.Duration) {
	c.nonNegative(f+".base", base)
	c.nonNegative(f+".per_item", perItem)
	if base >= 0 && perItem >= 0 && base+perItem == 0 {
		c.addf(f, "base %v + per_item %v must be > 0", base, perItem)
	}
}

// curvePoint checks one point against the points before it.
func (c *checker) curvePoint(f string, p costmodel.Point, before []costmodel.Point) {
	if p.Batch < 1 {
		c.addf(f+".batch", "%d must be >= 1", p.Batch)
	}
	c.positive(f+".latency", p.Latency)
	if len(before) == 0 {
		return
	}
	prev := before[len(before)-1]
	if p.Batch <= prev.Batch {
		c.addf(f+".batch", "%d must be greater than the previous point's batch %d", p.Batch, prev.Batch)
	}
	if p.Latency < prev.Latency {
		c.addf(f+".latency", "%v must be >= the previous point's latency %v", p.Latency, prev.Latency)
	}
}
