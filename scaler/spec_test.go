package scaler

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestNewSpecDefaults checks that NewSpec fills only the knobs the
// configuration does not set, and keeps the rules' knobs it is given.
func TestNewSpecDefaults(t *testing.T) {
	s, err := NewSpec(withKnobs(Config{Pools: []PoolConfig{cpuPool("cpu", 0, 1)}, Tiers: []TierConfig{tier("t", "cpu")}}))
	if err != nil {
		t.Fatal(err)
	}
	got := s.Config()
	got.Pools, got.Tiers = nil, nil
	want := Config{
		Interval: 2 * time.Second, Stabilization: 5 * time.Minute, HoldColdStarts: 3, PanicWindow: 6 * time.Second,
		PanicThreshold: 2, SpotShareMax: 1, SpotBackoff: 2 * time.Minute,
		QueueDrainTarget: 5 * time.Second, LatencyHeadroom: DefaultLatencyHeadroom,
		Forecast: Forecast{Alpha: DefaultAlpha, Beta: DefaultBeta, Damping: DefaultDamping,
			ErrorGain: DefaultErrorGain, ErrorBand: DefaultErrorBand},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

// TestNewSpecRequiresKnobs checks that the rules' knobs have no default:
// a Config that leaves them at zero is refused, each named.
func TestNewSpecRequiresKnobs(t *testing.T) {
	_, err := NewSpec(Config{Pools: []PoolConfig{cpuPool("cpu", 0, 1)}, Tiers: []TierConfig{tier("t", "cpu")}})
	if !errors.Is(err, ErrInvalidSpec) {
		t.Fatalf("NewSpec = %v, want ErrInvalidSpec", err)
	}
	for _, want := range []string{
		"interval 0s must be > 0", "stabilization 0s must be > 0", "panic window 0s must be > 0",
		"spot backoff 0s must be > 0", "queue drain target 0s must be > 0", "spot share max 0 must be in (0, 1]",
		"panic threshold 0 must be a finite number > 1", "hold cold starts 0 must be > 0",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("NewSpec error lacks %q:\n%v", want, err)
		}
	}
}

func TestNewSpecErrors(t *testing.T) {
	ok := func() Config {
		return withKnobs(Config{Pools: []PoolConfig{cpuPool("cpu", 0, 2)}, Tiers: []TierConfig{tier("t", "cpu")}})
	}
	tests := []struct {
		name   string
		change func(c *Config)
		want   []string
	}{
		{"empty pool name", func(c *Config) { c.Pools[0].Name = ""; c.Tiers = nil }, []string{"pools[0]: empty name"}},
		{"pool twice", func(c *Config) { c.Pools = append(c.Pools, c.Pools[0]) }, []string{`pools[1] "cpu": name used twice`}},
		{"min above max", func(c *Config) { c.Pools[0].Min = 3 }, []string{`pools[0] "cpu": min 3 must be between 0 and max 2`}},
		{"no max", func(c *Config) { c.Pools[0].Max = 0 }, []string{`pools[0] "cpu": max 0 must be >= 1`}},
		{"negative warm", func(c *Config) { c.Pools[0].Warm = -1 }, []string{"warm -1 must be >= 0"}},
		{"negative price", func(c *Config) { c.Pools[0].PricePerHour = -1 }, []string{"price per hour -1 must be a finite number >= 0"}},
		{"curve takes no time", func(c *Config) { c.Pools[0].Curve.Base = 0 },
			[]string{"the curve must take time", `tiers[0] "t": no pool meets the slo 1s`}},
		{"undefined pool", func(c *Config) { c.Tiers[0].Pools = []string{"gpu"} },
			[]string{`tiers[0] "t": pool "gpu" is not defined`}},
		{"pool listed twice", func(c *Config) { c.Tiers[0].Pools = []string{"cpu", "cpu"} },
			[]string{`tiers[0] "t": pool "cpu" listed twice`}},
		{"tier twice", func(c *Config) { c.Tiers = append(c.Tiers, c.Tiers[0]) }, []string{`tiers[1] "t": name used twice`}},
		{"no slo", func(c *Config) { c.Tiers[0].SLO = -time.Second }, []string{"slo -1s must be > 0"}},
		{"negative burst memory", func(c *Config) { c.BurstMemory = -time.Minute }, []string{"burst memory -1m0s must be >= 0"}},
		{"negative damping", func(c *Config) { c.Forecast.Damping = -time.Second }, []string{"forecast damping -1s must be > 0"}},
		{"slo too tight", func(c *Config) { c.Tiers[0].SLO = 300 * time.Millisecond },
			[]string{`tiers[0] "t": no pool meets the slo 300ms`}},
		{"spot share above 1", func(c *Config) { c.SpotShareMax = 1.5 }, []string{"spot share max 1.5 must be in (0, 1]"}},
		{"on-demand high below 0", func(c *Config) { c.OnDemandHigh = -0.5 }, []string{"on-demand high -0.5 must be in [0, 1]"}},
		{"panic threshold 1", func(c *Config) { c.PanicThreshold = 1 }, []string{"panic threshold 1 must be a finite number > 1"}},
		{"negative window", func(c *Config) { c.Stabilization = -time.Second }, []string{"stabilization -1s must be > 0"}},
		{"NaN budget", func(c *Config) { c.Budget.PerDay = math.NaN() }, []string{"budget per day NaN must be a finite number >= 0"}},
		{"bad schedule", func(c *Config) { c.Prewarm = []Prewarm{{Schedule: "0 25 * * *", Duration: time.Hour, Pool: "cpu"}} },
			[]string{`prewarm[0]: scaler: schedule "0 25 * * *": `}},
		{"every schedule", func(c *Config) { c.Prewarm = []Prewarm{{Schedule: "@every 1h", Duration: time.Hour, Pool: "cpu"}} },
			[]string{"@every has no fixed start times"}},
		{"prewarm problems", func(c *Config) {
			c.Prewarm = []Prewarm{{Schedule: "@daily", Pool: "gpu"}, {Schedule: "@daily", Duration: 1, Pool: "cpu", Min: 3}}
		},
			[]string{"prewarm[0]: duration 0s must be > 0", `prewarm[0]: pool "gpu" is not defined`,
				`prewarm[1]: min 3 must be between 0 and pool "cpu"'s max 2`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok()
			tt.change(&c)
			s, err := NewSpec(c)
			if s != nil || !errors.Is(err, ErrInvalidSpec) {
				t.Fatalf("NewSpec = %v, %v; want nil, ErrInvalidSpec", s, err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("NewSpec errors:\n%v\nwant %d of them", err, len(tt.want))
			}
			for i, want := range tt.want {
				if !strings.HasPrefix(lines[i], "scaler: invalid spec: ") || !strings.Contains(lines[i], want) {
					t.Errorf("error %d = %q, want it to contain %q", i, lines[i], want)
				}
			}
		})
	}
}

// TestSpecOrders checks the cost order within tiers and the order tiers
// are filled in.
func TestSpecOrders(t *testing.T) {
	s := mustSpec(t, Config{
		Pools: []PoolConfig{
			cpuPool("cpu", 0, 10),
			gpuPool("gpu-od", false, 3.00, 90*time.Second, 10),
			gpuPool("gpu-spot", true, 1.20, 60*time.Second, 10),
		},
		Tiers: []TierConfig{tier("light", "cpu", "gpu-od", "gpu-spot"), tier("heavy", "gpu-od", "gpu-spot")},
	})
	names := func(ms []member) []string {
		var out []string
		for _, m := range ms {
			out = append(out, s.pools[m.pool].Name)
		}
		return out
	}
	if diff := cmp.Diff([]string{"gpu-spot", "gpu-od", "cpu"}, names(s.tiers[0].members)); diff != "" {
		t.Errorf("light's cost order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 0}, s.order); diff != "" {
		t.Errorf("fill order (-want +got):\n%s", diff)
	}
	if got := s.tiers[0].members[0].cost; math.Abs(got-1.6667) > 1e-3 {
		t.Errorf("gpu-spot cost = %.4f $/M, want 1.6667", got)
	}
}

func TestNilSpec(t *testing.T) {
	prev := State{}
	plan, next := Decide(nil, prev, Snapshot{}, t0)
	if len(plan.Replicas) != 0 || !plan.At.Equal(t0) || !next.At().IsZero() {
		t.Errorf("Decide(nil) = %+v, %+v; want an empty plan at t0 and the state unchanged", plan, next)
	}
	if (*Spec)(nil).Config().Pools != nil {
		t.Error("nil Spec's Config has pools")
	}
}
