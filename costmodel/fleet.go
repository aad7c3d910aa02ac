package costmodel

// Fleet describes the pools of a deployment: what each costs and
// delivers, in the configuration's order, and the sizes each may take. It
// is built once from the configuration and handed on as a value: serve
// hands the same Fleet to the router, the scaler, the xDS view, the
// metrics and the status, and a configuration reload builds a new one
// and replaces it in one place. A Fleet, its Pools and its Bounds must
// not be modified once handed on; reading them is safe for concurrent
// use.
type Fleet struct {
	// Pools are the pools, each name once.
	Pools []Pool
	// Bounds holds each pool's replica bounds, by name; a pool it lacks
	// has the zero Bounds.
	Bounds map[string]Bounds
}

// Bounds are the sizes a pool may take, in replicas: 0 <= Min <=
// Initial <= Max, and Max >= 1 for a pool that may serve.
type Bounds struct {
	// Min is the fewest replicas the pool keeps; 0 lets it scale to zero.
	Min int
	// Initial is how many replicas the pool starts with.
	Initial int
	// Max is the most replicas the pool may have.
	Max int
	// Warm is how many ready replicas are kept spare beyond demand.
	Warm int
}

// Pool returns the named pool; false when the fleet has none.
func (f Fleet) Pool(name string) (Pool, bool) {
	for _, p := range f.Pools {
		if p.Name == name {
			return p, true
		}
	}
	return Pool{}, false
}

// CostPerHour returns the USD per hour of the given replicas, a count per
// pool name: the sum of each pool's price times its replicas. Names the
// fleet lacks are ignored, and negative counts count as 0; a nil map
// costs nothing.
func (f Fleet) CostPerHour(replicas map[string]int) float64 {
	total := 0.0
	for _, p := range f.Pools {
		total += p.CostPerHour(replicas[p.Name])
	}
	return total
}
