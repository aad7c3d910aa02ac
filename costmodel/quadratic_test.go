package costmodel

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// diag2 is a quadratic in the first two variables, the third held at 0 by
// a unit weight and no pull.
func diag2(a00, a01, a11, r0, r1 float64) quadratic {
	return quadratic{a: [6]float64{a00, a01, 0, a11, 0, 1}, r: [3]float64{r0, r1, 0}}
}

func TestQuadraticMinimise(t *testing.T) {
	tests := []struct {
		name string
		q    quadratic
		want [3]float64
	}{
		{"interior", diag2(1, 0, 1, 2, 3), [3]float64{2, 3, 0}},
		{"coupled interior", diag2(2, 1, 2, 3, 3), [3]float64{1, 1, 0}},
		{"v would be negative", diag2(1, 0, 1, 2, -3), [3]float64{2, 0, 0}},
		{"u would be negative", diag2(1, 0, 1, -2, 3), [3]float64{0, 3, 0}},
		{"both would be negative", diag2(1, 0, 1, -2, -3), [3]float64{0, 0, 0}},
		{"coupled, v negative", diag2(2, 1, 1, 4, 1), [3]float64{2, 0, 0}},
		{"three free", quadratic{a: [6]float64{1, 0, 0, 1, 0, 1}, r: [3]float64{1, 2, 3}}, [3]float64{1, 2, 3}},
		{"third would be negative", quadratic{a: [6]float64{1, 0, 0, 1, 0, 1}, r: [3]float64{1, 2, -3}}, [3]float64{1, 2, 0}},
		{"singular third, held at 0", quadratic{a: [6]float64{1, 0, 0, 1, 0, 0}, r: [3]float64{1, 2, 0}}, [3]float64{1, 2, 0}},
		{"collinear second and third", quadratic{a: [6]float64{1, 1, 1, 1, 1, 1 + 1e-9}, r: [3]float64{2, 2, 2}}, [3]float64{2, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.q.minimise()
			if diff := cmp.Diff(tt.want, got, approx); diff != "" {
				t.Errorf("minimise() (-want +got):\n%s", diff)
			}
		})
	}
}
