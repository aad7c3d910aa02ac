package configs

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
)

func ptr[T any](v T) *T { return &v }

// badCase is a testdata/NAME.bad.yaml file and the problems Load reports
// for it, in order: each line must contain "testdata/" + the want string.
// Each section's test file lists its bad files in a table of these.
type badCase struct {
	file string
	want []string
}

// badTables are the tables of every section; TestBadFilesAreTested checks
// that they name every bad file.
var badTables = [][]badCase{
	decodeBad, severalBad, listenBad, authBad, adminBad, modelsBad, tiersBad, poolsBad, routesBad,
	queueBad, healthBad, retryBad, scalerBad, budgetBad, shutdownBad, limitsBad, tlsBad, workersBad, tenantsBad,
}

// loadBad loads each file of tests and checks its problems, in order.
func loadBad(t *testing.T, tests []badCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := Load(filepath.Join("testdata", tt.file+".bad.yaml"))
			if cfg != nil {
				t.Errorf("Load returned a config with error %v", err)
			}
			var errs Errors
			if !errors.As(err, &errs) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Load error = %v (%T), want Errors matching ErrInvalid", err, err)
			}
			if len(errs) != len(tt.want) {
				t.Fatalf("Load gave %d problems, want %d:\n%v", len(errs), len(tt.want), err)
			}
			for i, want := range tt.want {
				if got := errs[i].Error(); !strings.Contains(got, "testdata/"+want) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got, "testdata/"+want)
				}
			}
		})
	}
}

// TestBadFilesAreTested keeps the sections' tables in step with testdata:
// every testdata/*.bad.yaml is in exactly one table, and every file a
// table names exists.
func TestBadFilesAreTested(t *testing.T) {
	files, err := filepath.Glob("testdata/*.bad.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.bad.yaml: %v", err)
	}
	listed := map[string]int{}
	for _, table := range badTables {
		for _, tt := range table {
			listed[tt.file]++
		}
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".bad.yaml")
		if listed[name] != 1 {
			t.Errorf("%s is in %d tables, want 1", f, listed[name])
		}
		delete(listed, name)
	}
	for name := range listed {
		t.Errorf("a table names testdata/%s.bad.yaml, which does not exist", name)
	}
}

// severalBad lists a file with problems in several sections, every one reported and their problems, in order.
var severalBad = []badCase{
	{"several", []string{
		`several.bad.yaml:4: models[0].tier: tier "nowhere" is not defined`,
		`several.bad.yaml:5: models[1].name: "m" duplicates models[0].name`,
		"several.bad.yaml:7: models[1].timeout: -1s must be > 0",
		`several.bad.yaml:10: tiers[0].pools[1]: pool "b" is not defined`,
		"several.bad.yaml:13: pools[0].price_per_hour: -1 must be >= 0",
	}},
}

func TestSeveralBad(t *testing.T) { loadBad(t, severalBad) }

func TestLoadGood(t *testing.T) {
	files, err := filepath.Glob("testdata/*.good.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.good.yaml: %v", err)
	}
	files = append(files, "quickstart.yaml", "bench.yaml")
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			cfg, err := Load(f)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if cfg.File != f {
				t.Errorf("File = %q, want %q", cfg.File, f)
			}
		})
	}
}

// TestDefaults loads a file that sets only what has no default.
func TestDefaults(t *testing.T) {
	got, err := Load("testdata/minimal.good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Config{
		File:   "testdata/minimal.good.yaml",
		Listen: Listen{HTTP: "127.0.0.1:8080"},
		Auth:   Auth{Mode: "none"},
		Models: []Model{{
			Name: "m", Tier: "t", Batching: ptr(true),
			Timeout: 30 * time.Second, SLO: 500 * time.Millisecond,
		}},
		Tiers: []Tier{{Name: "t", Pools: []string{"p"}}},
		Pools: []Pool{{
			Name:     "p",
			Curve:    costmodel.Curve{Base: 10 * time.Millisecond},
			MaxBatch: 1, MaxBatchBytes: 48 << 20,
			Replicas: Replicas{Min: 0, Initial: 1, Max: 1},
		}},
		Scaler: Scaler{Interval: 2 * time.Second, Stabilization: 5 * time.Minute, HoldColdStarts: 3, PanicWindow: 6 * time.Second,
			PanicThreshold: 2, SpotShareMax: 1, OnDemandHigh: ptr(DefaultOnDemandHigh), SpotBackoff: 2 * time.Minute, QueueDrainTarget: 5 * time.Second, BurstMemory: 10 * time.Minute, Driver: DriverLocal},
		Health:      Health{Interval: 2 * time.Second, Timeout: time.Second, EjectAfter: 3, EjectFor: 5 * time.Second},
		Retry:       Retry{BudgetRatio: 0.2, Window: 10 * time.Second},
		Cache:       Cache{MaxBytes: 64 << 20},
		Calibration: Calibration{Budget: 10 * time.Second, Batches: 4, Remeasure: 2 * time.Second},
	}
	want.Shutdown = Shutdown{DrainTimeout: 10 * time.Second, DrainDelay: 5 * time.Second}
	want.Limits = Limits{MaxBodyBytes: 16 << 20, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxConcurrentStreams: 1024, MaxDeadline: 5 * time.Minute, MaxJSONDepth: 32, MaxTensorElements: 4 << 20,
		BodyTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, MaxConnections: 4096, MaxInFlight: 2048,
		MaxBodyBytesInFlight: 384 << 20, MemoryLimit: 1536 << 20}
	want.Protocol = Protocol{PriorityLevels: []string{"critical", "high", "normal", "low"}, SequenceIdle: time.Minute}
	bounded := ClassQueue{MaxLength: 1024}
	want.Queue = Queue{Critical: bounded, High: bounded, Normal: bounded, Low: bounded}
	want.State = State{File: "sluice-state.json", FlushInterval: 2 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestApplyDefaultsKeepsSetValues(t *testing.T) {
	cfg := Config{
		Listen: Listen{HTTP: ":9000"},
		Auth:   Auth{Mode: "other"},
		Models: []Model{{Batching: ptr(false), Timeout: time.Second, SLO: time.Second,
			Cache: &ModelCache{Mode: CacheAlways, TTL: time.Hour}}},
		Pools: []Pool{{MaxBatch: 4, MaxBatchBytes: 5, Protocol: ProtocolHTTP, Endpoints: []string{"a:1"}}},
		Scaler: Scaler{Interval: time.Minute, Stabilization: time.Hour, HoldColdStarts: 2, PanicWindow: time.Second,
			PanicThreshold: 3, SpotShareMax: 0.5, OnDemandHigh: ptr(0.25), SpotBackoff: time.Hour, QueueDrainTarget: time.Minute, BurstMemory: time.Hour, Driver: DriverKubernetes},
		Health:      Health{Interval: time.Minute, Timeout: time.Second, EjectAfter: 1, EjectFor: time.Hour},
		Retry:       Retry{BudgetRatio: 0.5, Window: time.Hour},
		Cache:       Cache{MaxBytes: 1},
		Calibration: Calibration{Budget: time.Minute, Batches: 2, Remeasure: -1},
	}
	cfg.Shutdown = Shutdown{DrainTimeout: time.Minute, DrainDelay: time.Second}
	cfg.Limits = Limits{MaxBodyBytes: 1, ReadHeaderTimeout: time.Second, IdleTimeout: time.Second,
		MaxConcurrentStreams: 1, MaxDeadline: time.Second, MaxJSONDepth: 4, MaxTensorElements: 1,
		BodyTimeout: time.Second, WriteTimeout: time.Second, MaxConnections: 1, MaxInFlight: 1,
		MaxBodyBytesInFlight: 1, MemoryLimit: 1 << 20}
	cfg.Queue = Queue{Critical: ClassQueue{MaxLength: Unbounded}, High: ClassQueue{MaxLength: 1},
		Normal: ClassQueue{MaxLength: 2}, Low: ClassQueue{MaxLength: 3}}
	cfg.Protocol = Protocol{PriorityLevels: []string{"low"}, SequenceIdle: time.Second}
	cfg.Listen.Admin = "[::1]:9090"
	cfg.Tenants = []Tenant{{Name: "t", SoftRatio: 0.5, FallbackRatio: 0.6, Weight: 3}}
	cfg.State = State{File: "s.json", FlushInterval: time.Minute, Redis: &Redis{Address: "r:1", Timeout: time.Second}}
	want := cfg
	want.Models = []Model{cfg.Models[0]}
	want.Pools = []Pool{{MaxBatch: 4, MaxBatchBytes: 5, Protocol: ProtocolHTTP, Endpoints: []string{"a:1"}, Replicas: Replicas{Min: 1, Initial: 1, Max: 1}}}
	cfg.ApplyDefaults()
	once := cfg
	cfg.ApplyDefaults()
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("ApplyDefaults (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(once, cfg); diff != "" {
		t.Errorf("ApplyDefaults is not idempotent (-once +twice):\n%s", diff)
	}
}

// TestValidateInGo checks Validate on a Config built in code: problems carry
// no line, and a valid Config passes.
func TestValidateInGo(t *testing.T) {
	valid := func() Config {
		cfg := Config{
			Models: []Model{{Name: "m", Tier: "t"}},
			Tiers:  []Tier{{Name: "t", Pools: []string{"p"}}},
			Pools:  []Pool{{Name: "p", Curve: costmodel.Curve{PerItem: time.Millisecond}}},
		}
		cfg.ApplyDefaults()
		return cfg
	}
	cfg := valid()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate(valid) = %v", err)
	}
	cfg.Pools[0].MaxBatch = 0
	cfg.Pools[0].Replicas.Min = -1
	want := "pools[0].max_batch: 0 must be >= 1\npools[0].replicas.min: -1 must be >= 0"
	if err := cfg.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %q", err, want)
	}
}

func TestPoolSLOs(t *testing.T) {
	cfg := &Config{
		Models: []Model{
			{Name: "light", Tier: "any", SLO: 500 * time.Millisecond},
			{Name: "heavy", Tier: "gpu", SLO: time.Second},
			{Name: "strict", Tier: "any", SLO: 300 * time.Millisecond},
		},
		Tiers: []Tier{
			{Name: "any", Pools: []string{"cpu", "gpu-spot"}},
			{Name: "gpu", Pools: []string{"gpu-spot", "gpu-ondemand"}},
		},
		Pools: []Pool{{Name: "cpu"}, {Name: "gpu-spot"}, {Name: "gpu-ondemand"}, {Name: "idle"}},
	}
	want := map[string]time.Duration{
		"cpu":          300 * time.Millisecond, // the smallest of its tier's models
		"gpu-spot":     300 * time.Millisecond, // the smallest across both tiers
		"gpu-ondemand": time.Second,
		"idle":         DefaultSLO, // in no tier
	}
	if diff := cmp.Diff(want, cfg.PoolSLOs()); diff != "" {
		t.Errorf("PoolSLOs (-want +got):\n%s", diff)
	}
}
