package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHoldForBilling(t *testing.T) {
	f := Fleet{Pools: []Pool{{}}, MinBilling: 3 * time.Second}
	plan := [][]int{{2}, {2}, {0}, {4}, {0}, {0}, {0}, {1}, {0}, {0}}
	up := make([]uint64, len(plan))
	for i := range up {
		up[i] = 1
	}
	up[8] = 0 // down: holds nothing
	holdForBilling(&f, plan, up)
	// The 2 started at 0 hold to 3; of the 4 at 3, the 2 started at 3
	// hold to 6.
	want := [][]int{{2}, {2}, {2}, {4}, {2}, {2}, {0}, {1}, {0}, {0}}
	if diff := cmp.Diff(want, plan); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	if _, err := OracleAt(1.5)(Setup{Fleet: &f}); !errors.Is(err, ErrPolicy) {
		t.Errorf("cap 1.5: error %v, want ErrPolicy", err)
	}
}

// TestOracleWaitsForPoolUp: a pool that comes back up starts empty, so
// the plan counts on it only a cold start later.
func TestOracleWaitsForPoolUp(t *testing.T) {
	f := Fleet{Pools: []Pool{{}, {}}}
	f.Pools[0].ColdStart = 3 * time.Second
	r := newReadiness(&f)
	up, down := []bool{true, true}, []bool{false, true}
	var got [][]bool
	for sec, avail := range [][]bool{up, down, down, up, up, up, up} {
		got = append(got, append([]bool(nil), r.at(sec, avail)...))
	}
	want := [][]bool{{true, true}, {false, true}, {false, true}, {false, true}, {false, true}, {false, true}, {true, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("usable pools (-want +got):\n%s", diff)
	}
}
