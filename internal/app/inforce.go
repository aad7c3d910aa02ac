package app

import (
	"sync/atomic"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
)

// inForce is a configuration and the one description of its pools,
// built from it once (configs.Config.Fleet) when it is loaded: every part
// reads its pools' prices, curves and bounds from fleet, never from the
// configuration's pools. Neither is modified once built.
type inForce struct {
	cfg   *configs.Config
	fleet costmodel.Fleet
}

// newInForce builds the pools' description of cfg. pre: cfg is validated.
func newInForce(cfg *configs.Config) *inForce {
	return &inForce{cfg: cfg, fleet: cfg.Fleet()}
}

// current holds what is in force: the configuration Start was given, then
// each one a reload puts in force, replaced at once. The parts that show
// or meter prices read it at each use. It is safe for concurrent use.
type current struct {
	p atomic.Pointer[inForce]
}

// newCurrent returns a holder of in.
func newCurrent(in *inForce) *current {
	c := &current{}
	c.p.Store(in)
	return c
}

// load returns what is in force.
func (c *current) load() *inForce { return c.p.Load() }

// store puts in in force.
func (c *current) store(in *inForce) { c.p.Store(in) }

// fleet returns the pools in force.
func (c *current) fleet() costmodel.Fleet { return c.load().fleet }
