package main

// adminPools is GET /admin/pools, as far as the tests read it.
type adminPools []adminPool

// adminPool is one pool of GET /admin/pools.
type adminPool struct {
	Name     string `json:"name"`
	Ready    int    `json:"ready"`
	Starting int    `json:"starting"`
	// PricePerHour is one replica's price, USD per hour.
	PricePerHour float64 `json:"price_per_hour"`
}
