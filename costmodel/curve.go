package costmodel

import "time"

// Curve is a replica's capacity curve: the time one batch of b items takes.
// The zero value is a curve where every batch takes no time.
type Curve struct {
	// Base is the fixed latency of any batch.
	Base time.Duration `yaml:"base"`
	// PerItem is the latency each item adds.
	PerItem time.Duration `yaml:"per_item"`
}

// Latency returns the time a batch of b items takes: Base + PerItem·b.
// b < 1 is treated as 1.
func (c Curve) Latency(b int) time.Duration {
	if b < 1 {
		b = 1
	}
	return c.Base + time.Duration(b)*c.PerItem
}
