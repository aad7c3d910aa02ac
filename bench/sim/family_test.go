package sim

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFamilyGrid(t *testing.T) {
	two := Family{Name: "two", Knobs: []Knob{
		{Name: "a", Values: []float64{1, 2}, Default: 2},
		{Name: "b", Values: []float64{10, 20, 30}, Default: 10},
	}}
	offGrid := Family{Name: "off", Knobs: []Knob{{Name: "a", Values: []float64{1, 2}, Default: 1.5}}}
	tests := []struct {
		name string
		fam  Family
		want []Point
	}{
		{name: "product, default inside", fam: two, want: []Point{
			{"a": 1, "b": 10}, {"a": 1, "b": 20}, {"a": 1, "b": 30},
			{"a": 2, "b": 10}, {"a": 2, "b": 20}, {"a": 2, "b": 30},
		}},
		{name: "default appended", fam: offGrid, want: []Point{{"a": 1}, {"a": 2}, {"a": 1.5}}},
		{name: "no knobs", fam: Family{Name: "none"}, want: []Point{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.fam.Grid()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("grid (-want +got):\n%s", diff)
			}
			defaults := 0
			for _, p := range got {
				if tt.fam.IsDefault(p) {
					defaults++
				}
			}
			if defaults != 1 {
				t.Errorf("%d default points, want 1", defaults)
			}
		})
	}
	if got, want := two.Format(Point{"a": 2, "b": 10}), "a=2,b=10"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
	if _, err := two.New(Point{"a": 1}); !errors.Is(err, ErrPolicy) {
		t.Errorf("New without knob b: error %v, want ErrPolicy", err)
	}
}

// TestFamiliesBuild builds every point of every family on the reference
// fleet and checks each starts within the pools' bounds; each family's
// default configuration is also the built-in policy of its name.
func TestFamiliesBuild(t *testing.T) {
	f := refFleet().withDefaults()
	tr := flatTrace("t", 30, 200, 0.2)
	obs := &Observation{Pools: make([]PoolState, len(f.Pools))}
	obs.Kinds[Light].ArrivalRate, obs.Kinds[Heavy].ArrivalRate = 160, 40
	for _, fam := range Families(refSpec(t, f)) {
		for _, p := range fam.Grid() {
			mk, err := fam.New(p)
			if err != nil {
				t.Fatal(err)
			}
			pol, err := mk(Setup{Fleet: &f, Trace: tr, Scaler: refSpec(t, f)})
			if err != nil {
				t.Fatalf("%s %s: %v", fam.Name, fam.Format(p), err)
			}
			for i, n := range pol.Start(obs) {
				if pool := f.Pools[i]; n < pool.Min || n > pool.Max {
					t.Errorf("%s %s: starts %s at %d, outside [%d, %d]", fam.Name, fam.Format(p), pool.Name, n, pool.Min, pool.Max)
				}
			}
		}
		if _, ok := policies[fam.Name]; !ok && fam.Name != "static" { // static's default is static-peak
			t.Errorf("family %s is not a built-in policy", fam.Name)
		}
	}
	if _, err := costawareFamily(nil).mustDefault()(Setup{Fleet: &f}); !errors.Is(err, ErrPolicy) {
		t.Errorf("costaware without a spec: error %v, want ErrPolicy", err)
	}
}

func TestFamilyGridText(t *testing.T) {
	tests := []struct {
		name string
		fam  Family
		want string
	}{
		{name: "a default of its own", fam: Family{Knobs: []Knob{{Name: "target", Doc: "utilization", Values: []float64{0.5, 0.7}, Default: 0.7}}},
			want: "target ∈ {0.5, 0.7} (default 0.7): utilization"},
		{name: "the configuration's default", fam: costawareFamily(nil),
			want: "hold_cold_starts ∈ {3, 6} (default: the configuration's): cold starts a pool keeps replicas it no longer needs (scaler.hold_cold_starts)\n" +
				"on_demand_high ∈ {0, 1} (default: the configuration's): share of a tier's high-priority demand kept off spot pools (scaler.on_demand_high)"},
		{name: "no knobs", fam: Family{Name: "none"}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fam.GridText(); got != tt.want {
				t.Errorf("GridText() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	names := FamilyNames()
	if len(names) != len(Families(nil)) || names[0] != "costaware" {
		t.Errorf("FamilyNames() = %v, want every family's name, costaware first", names)
	}
	for _, name := range names {
		if !strings.Contains(FamiliesText(), "  "+name+": ") {
			t.Errorf("FamiliesText lacks family %s", name)
		}
	}
}
