package configs

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
)

// TestQuickstart pins the shipped quickstart. The file spells out the keys
// it marks "(default)"; writing them here as the Default constants makes
// this test fail when the file and the code's defaults drift apart.
func TestQuickstart(t *testing.T) {
	got, err := Load("quickstart.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Config{
		File: "quickstart.yaml",
		Listen: Listen{
			HTTP:  DefaultHTTPAddr,
			GRPC:  "127.0.0.1:8081",
			Admin: "127.0.0.1:9090",
		},
		Auth: Auth{Mode: DefaultAuthMode},
		Models: []Model{
			{Name: "sum", Tier: "default", Batching: ptr(true), MaxBatch: 0, Timeout: DefaultTimeout, SLO: DefaultSLO},
			{Name: "echo", Tier: "default", Batching: ptr(false), Timeout: DefaultTimeout, SLO: 250 * time.Millisecond},
		},
		Tiers: []Tier{{Name: "default", Pools: []string{"cpu", "gpu"}}},
		Pools: []Pool{
			{
				Name: "cpu", PricePerHour: 0.10, Spot: false,
				Curve:    costmodel.Curve{Base: 20 * time.Millisecond, PerItem: 5 * time.Millisecond},
				MaxBatch: 8, MaxBatchBytes: DefaultMaxBatchBytes, ColdStart: time.Second,
				Replicas: Replicas{Min: 1, Initial: 2, Max: 4},
			},
			{
				Name: "gpu", PricePerHour: 1.20,
				Curve:    costmodel.Curve{Base: 32 * time.Millisecond, PerItem: 4 * time.Millisecond},
				MaxBatch: 32, MaxBatchBytes: DefaultMaxBatchBytes, ColdStart: 2 * time.Second,
				Replicas: Replicas{Min: 0, Initial: 1, Max: 2},
			},
		},
		Health: Health{Interval: DefaultHealthInterval, Timeout: DefaultHealthTimeout, EjectAfter: DefaultEjectAfter, EjectFor: DefaultEjectFor},
		Retry:  Retry{BudgetRatio: DefaultRetryBudget, Window: DefaultRetryWindow},
		Cache:  Cache{MaxBytes: DefaultCacheBytes},
		Calibration: Calibration{
			Budget: DefaultCalibrationBudget, Batches: DefaultCalibrationBatches, Remeasure: DefaultRemeasure,
		},
		Scaler: Scaler{
			Interval: DefaultScalerInterval, Stabilization: 30 * time.Second, HoldColdStarts: DefaultHoldColdStarts,
			PanicWindow: DefaultPanicWindow, PanicThreshold: DefaultPanicThreshold,
			QueueDrainTarget: DefaultQueueDrainTarget, SpotShareMax: DefaultSpotShareMax, OnDemandHigh: ptr(DefaultOnDemandHigh),
			SpotBackoff: DefaultSpotBackoff, BurstMemory: DefaultBurstMemory, Driver: DriverLocal,
		},
		Budget: Budget{PerHour: 3.00},
		State:  State{File: DefaultStateFile, FlushInterval: DefaultFlushInterval},
	}
	want.Shutdown = Shutdown{DrainTimeout: DefaultDrainTimeout, DrainDelay: DefaultDrainDelay}
	want.Limits = Limits{
		MaxBodyBytes: DefaultMaxBodyBytes, ReadHeaderTimeout: DefaultReadHeaderTimeout, IdleTimeout: DefaultIdleTimeout,
		MaxConcurrentStreams: DefaultMaxConcurrentStreams, MaxDeadline: DefaultMaxDeadline,
		MaxJSONDepth: DefaultMaxJSONDepth, MaxTensorElements: DefaultMaxTensorElements,
		BodyTimeout: DefaultBodyTimeout, WriteTimeout: DefaultWriteTimeout,
		MaxConnections: DefaultMaxConnections, MaxInFlight: DefaultMaxInFlight,
		MaxBodyBytesInFlight: DefaultMaxBodyBytesInFlight, MemoryLimit: DefaultMemoryLimit,
	}
	bounded := ClassQueue{MaxLength: DefaultQueueMaxLength}
	want.Queue = Queue{Critical: bounded, High: bounded, Normal: bounded, Low: bounded}
	want.Protocol = Protocol{PriorityLevels: DefaultPriorityLevels, SequenceIdle: DefaultSequenceIdle}
	want.Protocol = Protocol{PriorityLevels: DefaultPriorityLevels, SequenceIdle: DefaultSequenceIdle}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("quickstart.yaml (-want +got):\n%s", diff)
	}
}

// TestBenchFleet pins the reference fleet that bench numbers are quoted on.
func TestBenchFleet(t *testing.T) {
	cfg, err := Load("bench.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	type pool struct {
		Name      string
		Price     float64
		Spot      bool
		Curve     costmodel.Curve
		MaxBatch  int
		ColdStart time.Duration
		Max       int
	}
	ms := time.Millisecond
	want := []pool{
		{"cpu-small", 0.10, false, costmodel.Curve{Base: 200 * ms}, 1, 10 * time.Second, 60},
		{"cpu-large", 0.50, false, costmodel.Curve{Base: 40 * ms, PerItem: 20 * ms}, 8, 20 * time.Second, 30},
		{"gpu-spot", 1.20, true, costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, 32, 60 * time.Second, 16},
		{"gpu-ondemand", 3.00, false, costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, 32, 90 * time.Second, 16},
	}
	var got []pool
	for _, p := range cfg.Pools {
		got = append(got, pool{p.Name, p.PricePerHour, p.Spot, p.Curve, p.MaxBatch, p.ColdStart, p.Replicas.Max})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bench.yaml pools (-want +got):\n%s", diff)
	}
	wantTiers := []Tier{
		{Name: "light", Pools: []string{"cpu-small", "cpu-large", "gpu-spot", "gpu-ondemand"}},
		{Name: "heavy", Pools: []string{"gpu-spot", "gpu-ondemand"}},
	}
	if diff := cmp.Diff(wantTiers, cfg.Tiers); diff != "" {
		t.Errorf("bench.yaml tiers (-want +got):\n%s", diff)
	}
	if cfg.Budget.PerHour != 30 {
		t.Errorf("bench.yaml budget.per_hour = %v, want 30", cfg.Budget.PerHour)
	}
}

// TestBenchRoutes pins the route that keeps big sums on the GPU pools of
// the reference fleet.
func TestBenchRoutes(t *testing.T) {
	cfg, err := Load("bench.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []Route{{Match: RouteMatch{Model: "sum", MinElements: 4096}, Tier: "heavy"}}
	if diff := cmp.Diff(want, cfg.Routes); diff != "" {
		t.Errorf("bench.yaml routes (-want +got):\n%s", diff)
	}
}

// TestAuthExample pins configs/examples/auth.yaml: its keys are the demo
// keys README.md shows, and the rest is the quickstart.
func TestAuthExample(t *testing.T) {
	got, err := Load("examples/auth.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	hashes, err := got.KeyHashes(Secrets{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][sha256.Size]byte{hashOf("sluice-demo-high"), hashOf("sluice-demo-low")}, hashes); diff != "" {
		t.Errorf("key hashes are not those of sluice-demo-high and sluice-demo-low (-want +got):\n%s", diff)
	}
	type grant struct {
		Tenant, Priority string
		Rate             float64
		Burst            int
		Models           []string
	}
	var grants []grant
	for _, k := range got.Auth.Keys {
		grants = append(grants, grant{k.Tenant, k.Priority, k.Rate, k.Burst, k.Models})
	}
	wantGrants := []grant{{"demo-high", "high", 50, 50, []string{"*"}}, {"demo-low", "low", 5, 5, []string{"sum"}}}
	if diff := cmp.Diff(wantGrants, grants); diff != "" {
		t.Errorf("demo keys (-want +got):\n%s", diff)
	}
	quick, err := Load("quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	quick.Auth, quick.File = got.Auth, got.File
	if diff := cmp.Diff(quick, got); diff != "" {
		t.Errorf("examples/auth.yaml must be quickstart.yaml with auth on; update it (-quickstart +auth.yaml):\n%s", diff)
	}
}
