package sim

// Initial returns the replicas per pool, index-aligned with
// opts.Fleet.Pools, that a run of opts starts with, already warm: the
// policy's Start for the first row's load, within each pool's bounds. A
// system run in real time for comparison with the simulator starts with
// this fleet. It fails as Run does, without simulating anything.
func Initial(opts Options) ([]int, error) {
	s, err := newSim(opts)
	if err != nil {
		return nil, err
	}
	s.start()
	out := make([]int, len(s.pools))
	for i, p := range s.pools {
		out[i] = p.ready
	}
	return out, nil
}
