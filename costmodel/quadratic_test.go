package costmodel

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestQuadraticMinimise(t *testing.T) {
	tests := []struct {
		name string
		q    quadratic
		want [2]float64
	}{
		{"interior", quadratic{a00: 1, a11: 1, r0: 2, r1: 3}, [2]float64{2, 3}},
		{"coupled interior", quadratic{a00: 2, a01: 1, a11: 2, r0: 3, r1: 3}, [2]float64{1, 1}},
		{"v would be negative", quadratic{a00: 1, a11: 1, r0: 2, r1: -3}, [2]float64{2, 0}},
		{"u would be negative", quadratic{a00: 1, a11: 1, r0: -2, r1: 3}, [2]float64{0, 3}},
		{"both would be negative", quadratic{a00: 1, a11: 1, r0: -2, r1: -3}, [2]float64{0, 0}},
		{"coupled, v negative", quadratic{a00: 2, a01: 1, a11: 1, r0: 4, r1: 1}, [2]float64{2, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, v := tt.q.minimise()
			if diff := cmp.Diff(tt.want, [2]float64{u, v}, approx); diff != "" {
				t.Errorf("minimise() (-want +got):\n%s", diff)
			}
		})
	}
}
