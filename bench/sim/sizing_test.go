package sim

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSizerCheapest(t *testing.T) {
	f := refFleet().withDefaults()
	all := []bool{true, true, true, true}
	prices := []float64{0.1, 0.5, 1.2, 3}
	tests := []struct {
		name   string
		d      demand
		util   float64
		avail  []bool
		prices []float64
		want   []int
	}{
		{name: "nothing: the minimums", d: demand{}, util: 1, want: []int{1, 0, 0, 0}},
		{name: "light only fits the minimum", d: demand{Light: 5}, util: 1, want: []int{1, 0, 0, 0}},
		{name: "steady mix: spot GPUs topped up by cpu-large", d: demand{Light: 320, Heavy: 80}, util: 1, want: []int{1, 2, 2, 0}},
		{name: "headroom adds a spot GPU", d: demand{Light: 320, Heavy: 80}, util: 0.7, want: []int{2, 2, 3, 0}},
		{name: "spot down: heavy on on-demand GPUs", d: demand{Heavy: 80}, util: 1,
			avail: []bool{true, true, false, true}, want: []int{1, 0, 0, 1}},
		{name: "a cheaper on-demand GPU wins", d: demand{Heavy: 80}, util: 1,
			prices: []float64{0.1, 0.5, 1.2, 1}, want: []int{1, 0, 0, 1}},
		{name: "beyond the fleet: everything at max", d: demand{Heavy: 4000}, util: 1, want: []int{60, 30, 16, 16}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			avail, pr := tt.avail, tt.prices
			if avail == nil {
				avail = all
			}
			if pr == nil {
				pr = prices
			}
			z := newSizer(&f)
			got := z.cheapest(tt.d, tt.util, avail, pr)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fleet (-want +got):\n%s", diff)
			}
			again := z.cheapest(tt.d, tt.util, avail, pr) // from the memo
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("memoized fleet differs (-first +second):\n%s", diff)
			}
		})
	}
}

// TestSizerIsCheapest checks the search against brute force over small
// bounds.
func TestSizerIsCheapest(t *testing.T) {
	f := refFleet().withDefaults()
	for i := range f.Pools {
		f.Pools[i].Max = min(f.Pools[i].Max, 6)
	}
	z := newSizer(&f)
	avail := []bool{true, true, true, true}
	prices := []float64{0.1, 0.5, 1.2, 3}
	for _, d := range []demand{{Light: 17}, {Light: 230, Heavy: 10}, {Light: 90, Heavy: 260}, {Light: 700, Heavy: 300}} {
		got := z.cheapest(d, 1, avail, prices)
		need := z.needs(d, 1)
		best := bruteForce(z, need, prices)
		if cost(got, prices) > best+1e-9 {
			t.Errorf("demand %v: fleet %v costs %.2f, brute force finds %.2f", d, got, cost(got, prices), best)
		}
		if !serves(z, got, need) {
			t.Errorf("demand %v: fleet %v does not serve it", d, got)
		}
	}
}

func bruteForce(z *sizer, need [3]float64, prices []float64) float64 {
	f := z.fleet
	best := 1e18
	n := make([]int, len(f.Pools))
	var walk func(i int)
	walk = func(i int) {
		if i == len(n) {
			if serves(z, n, need) {
				best = min(best, cost(n, prices))
			}
			return
		}
		for v := f.Pools[i].Min; v <= f.Pools[i].Max; v++ {
			n[i] = v
			walk(i + 1)
		}
	}
	walk(0)
	return best
}

func serves(z *sizer, n []int, need [3]float64) bool {
	for g, grp := range z.groups {
		c := 0.0
		for i, v := range n {
			c += float64(v) * grp.cap[i]
		}
		if c < need[g]-1e-9 {
			return false
		}
	}
	return true
}

func cost(n []int, prices []float64) float64 {
	total := 0.0
	for i, v := range n {
		total += float64(v) * prices[i]
	}
	return total
}
