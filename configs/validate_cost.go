package configs

import (
	"fmt"

	"github.com/sluice-gateway/sluice/costmodel"
)

// costCurve checks a pool's capacity curve: a line (base, per_item) or
// measured points, not both.
func (c *checker) costCurve(f string, cv costmodel.Curve) {
	if len(cv.Points) == 0 {
		c.curve(f, cv.Base, cv.PerItem)
		return
	}
	if cv.Base != 0 || cv.PerItem != 0 {
		c.addf(f+".points", "must not be set together with base or per_item")
	}
	for i, p := range cv.Points {
		c.curvePoint(fmt.Sprintf("%s.points[%d]", f, i), p, cv.Points[:i])
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
