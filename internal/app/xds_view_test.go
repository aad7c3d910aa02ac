package app

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/xds"
)

func TestCheapestFeasible(t *testing.T) {
	cfg, err := configs.Load("../../configs/bench.yaml")
	if err != nil {
		t.Fatal(err)
	}
	all := func(string) int { return 1 }
	tests := []struct {
		name  string
		model configs.Model
		ready readyCounts
		want  map[string]uint32
	}{
		{"cheapest per inference, not per hour", configs.Model{Tier: "light", SLO: 500 * time.Millisecond}, all, map[string]uint32{"gpu-spot": 1}},
		{"only ready pools", configs.Model{Tier: "light", SLO: 500 * time.Millisecond},
			func(p string) int { return map[string]int{"cpu-small": 1, "cpu-large": 2}[p] }, map[string]uint32{"cpu-large": 1}},
		{"an SLO the cpu pools cannot meet", configs.Model{Tier: "light", SLO: 100 * time.Millisecond},
			func(p string) int { return map[string]int{"cpu-small": 1, "gpu-ondemand": 1}[p] }, map[string]uint32{"gpu-ondemand": 1}},
		{"nothing ready", configs.Model{Tier: "heavy", SLO: time.Second}, func(string) int { return 0 }, nil},
		{"no pool meets the SLO", configs.Model{Tier: "heavy", SLO: time.Millisecond}, all, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, cheapestFeasible(newInForce(cfg), tt.model, tt.ready)); diff != "" {
				t.Errorf("weights (-want +got):\n%s", diff)
			}
		})
	}
}

func TestXDSAddress(t *testing.T) {
	tests := []struct {
		in      string
		want    xds.Address
		wantErr bool
	}{
		{"", xds.Address{}, false},
		{"127.0.0.1:8080", xds.Address{Host: "127.0.0.1", Port: 8080}, false},
		{":8080", xds.Address{Host: "127.0.0.1", Port: 8080}, false},
		{"0.0.0.0:8080", xds.Address{Host: "127.0.0.1", Port: 8080}, false},
		{"[::]:8080", xds.Address{Host: "127.0.0.1", Port: 8080}, false},
		{"10.1.2.3:0", xds.Address{}, false},
		{"[::1]:9", xds.Address{Host: "::1", Port: 9}, false},
		{"nohost", xds.Address{}, true},
		{"h:99999", xds.Address{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := xdsAddress(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("xdsAddress(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
