package costmodel

// quadratic is the least-squares objective in θ ∈ R³
//
//	f(θ) = θᵀAθ − 2·rᵀθ
//
// with A symmetric positive semi-definite, stored as its upper triangle:
// a[0]=(0,0), a[1]=(0,1), a[2]=(0,2), a[3]=(1,1), a[4]=(1,2), a[5]=(2,2).
type quadratic struct {
	a [6]float64
	r [3]float64
}

// at returns A's element (i, j).
func (q *quadratic) at(i, j int) float64 {
	if i > j {
		i, j = j, i
	}
	return q.a[[3][3]int{{0, 1, 2}, {1, 3, 4}, {2, 4, 5}}[i][j]]
}

// minimise returns the minimiser of q over θ >= 0. The objective is
// convex, so the constrained minimiser is the unconstrained minimiser of
// the objective restricted to some face {θᵢ = 0 for i outside a set S};
// minimise solves the eight faces' systems (of size |S| ≤ 3), keeps the
// feasible solutions and returns the one of least objective. A face whose
// system is singular is skipped; θ = 0 is always feasible.
func (q quadratic) minimise() [3]float64 {
	var best [3]float64
	bestF := 0.0
	for set := 1; set < 8; set++ {
		theta, ok := q.solveFace(set)
		if !ok || theta[0] < 0 || theta[1] < 0 || theta[2] < 0 {
			continue
		}
		if f := q.value(theta); f < bestF {
			best, bestF = theta, f
		}
	}
	return best
}

// solveFace solves the normal equations for the variables in set (a bit
// per variable), the others held at 0; false when the system is singular.
func (q quadratic) solveFace(set int) ([3]float64, bool) {
	var idx []int
	for i := range 3 {
		if set&(1<<i) != 0 {
			idx = append(idx, i)
		}
	}
	n := len(idx)
	var m [3][4]float64 // augmented system [A_SS | r_S]
	for i, vi := range idx {
		for j, vj := range idx {
			m[i][j] = q.at(vi, vj)
		}
		m[i][n] = q.r[vi]
	}
	sol, ok := gauss(m, n)
	var theta [3]float64
	for i, vi := range idx {
		theta[vi] = sol[i]
	}
	return theta, ok
}

// gauss solves the n×n system in m (augmented with its right-hand side in
// column n) by Gaussian elimination with partial pivoting; false when a
// pivot is negligible next to the matrix's scale.
func gauss(m [3][4]float64, n int) ([3]float64, bool) {
	scale := 0.0
	for i := range n {
		for j := range n {
			scale = max(scale, abs(m[i][j]))
		}
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if abs(m[r][c]) > abs(m[p][c]) {
				p = r
			}
		}
		if !(abs(m[p][c]) > 1e-13*scale) {
			return [3]float64{}, false
		}
		m[c], m[p] = m[p], m[c]
		for r := range n {
			if r != c {
				f := m[r][c] / m[c][c]
				for k := c; k <= n; k++ {
					m[r][k] -= f * m[c][k]
				}
			}
		}
	}
	var x [3]float64
	for i := range n {
		x[i] = m[i][n] / m[i][i]
	}
	return x, true
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// value evaluates the objective at θ.
func (q quadratic) value(theta [3]float64) float64 {
	f := 0.0
	for i := range 3 {
		for j := range 3 {
			f += theta[i] * q.at(i, j) * theta[j]
		}
		f -= 2 * q.r[i] * theta[i]
	}
	return f
}
