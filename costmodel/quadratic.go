package costmodel

// quadratic is the least-squares objective in (u, v)
//
//	f(u, v) = a00·u² + 2·a01·u·v + a11·v² − 2·(r0·u + r1·v)
//
// with a positive definite matrix A = [[a00, a01], [a01, a11]].
type quadratic struct {
	a00, a01, a11 float64
	r0, r1        float64
}

// minimise returns the minimiser of q over u >= 0, v >= 0. The objective
// is convex, so the minimiser is the unconstrained one when that is
// feasible, and otherwise the better of the minimisers along the two edges
// u = 0 and v = 0.
func (q quadratic) minimise() (u, v float64) {
	if det := q.a00*q.a11 - q.a01*q.a01; det > 0 {
		u, v = (q.a11*q.r0-q.a01*q.r1)/det, (q.a00*q.r1-q.a01*q.r0)/det
		if u >= 0 && v >= 0 {
			return u, v
		}
	}
	eu, ev := max(q.r0/q.a00, 0), max(q.r1/q.a11, 0) // on v = 0, on u = 0
	if q.at(eu, 0) <= q.at(0, ev) {
		return eu, 0
	}
	return 0, ev
}

// at evaluates the objective at (u, v).
func (q quadratic) at(u, v float64) float64 {
	return q.a00*u*u + 2*q.a01*u*v + q.a11*v*v - 2*(q.r0*u+q.r1*v)
}
