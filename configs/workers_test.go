package configs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// workersBad lists the bad files of the keys that say who runs a pool's
// workers, and their problems, in order.
var workersBad = []badCase{
	{"worker-exclusive", []string{
		"worker-exclusive.bad.yaml:6: pools[0].endpoints: set one of worker, endpoints and dns, not worker, endpoints and dns",
	}},
	{"worker-kubernetes", []string{
		"worker-kubernetes.bad.yaml:5: pools[0].worker: under scaler.driver kubernetes a pool's workers are the pods of its Deployment sluice-<pool>",
	}},
	{"worker-command", []string{
		"worker-command.bad.yaml:6: pools[0].worker.command: must name a program",
		"worker-command.bad.yaml:6: pools[0].worker.command: protocol grpc needs {grpc_port} in the command or env",
		"worker-command.bad.yaml:9: pools[1].worker.command: protocol http needs {http_port} in the command or env",
		`worker-command.bad.yaml:14: pools[2].worker.protocol: "udp" must be grpc or http`,
	}},
	{"worker-ready", []string{
		`worker-ready.bad.yaml:7: pools[0].worker.ready_path: "v2/health/ready" must start with /`,
		`worker-ready.bad.yaml:11: pools[1].worker.ready_path: "/ready" is probed on the replica's {http_port}, which neither the command nor env holds`,
	}},
	{"worker-stop", []string{
		`worker-stop.bad.yaml:8: pools[0].worker.stop_signal: "SIGUSR9" is not one of SIGTERM, SIGINT, SIGQUIT, SIGHUP`,
		"worker-stop.bad.yaml:9: pools[0].worker.stop_timeout: -1s must be > 0",
	}},
	{"endpoints", []string{
		`endpoints.bad.yaml:6: pools[0].endpoints[0]: "10.0.0.5" is not host:port`,
		`endpoints.bad.yaml:7: pools[0].endpoints[1]: "10.0.0.5:0": port "0" must be a number in 1..65535`,
		`endpoints.bad.yaml:8: pools[0].endpoints[2]: ":8001" has no host`,
		`endpoints.bad.yaml:10: pools[0].endpoints[4]: "a:8001" is listed twice`,
	}},
	{"dns", []string{
		`dns.bad.yaml:5: pools[0].dns: "workers.svc" is not host:port`,
		"dns.bad.yaml:8: pools[1].dns_interval: is only for a pool with dns",
		"dns.bad.yaml:11: pools[2].dns_interval: -1s must be > 0",
	}},
	{"pool-protocol", []string{
		"pool-protocol.bad.yaml:6: pools[0].protocol: is for pools with endpoints or dns (or under scaler.driver kubernetes)",
		"pool-protocol.bad.yaml:9: pools[1].protocol: is for pools with endpoints or dns",
		`pool-protocol.bad.yaml:12: pools[2].protocol: "tcp" must be grpc or http`,
	}},
	{"calibration", []string{
		"calibration.bad.yaml:5: calibration.budget: -1s must be > 0",
		"calibration.bad.yaml:6: calibration.batches: -2 must be >= 1",
	}},
}

func TestWorkersBad(t *testing.T) { loadBad(t, workersBad) }

// TestWorkersGood loads pools of every kind without a curve and checks
// their kinds and the defaults each kind takes.
func TestWorkersGood(t *testing.T) {
	cfg, err := Load("testdata/workers.good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type pool struct {
		Kind        PoolKind
		Worker      *Worker
		DNSInterval time.Duration
		Protocol    string
		Replicas    Replicas
	}
	one := Replicas{Initial: 1, Max: 1}
	want := []pool{
		{Kind: PoolCommand, Worker: &Worker{
			Command:  []string{"python3", "oipserver.py", "--http-port={http_port}", "--replica={replica}"},
			Env:      map[string]string{"POOL": "{pool}"},
			Dir:      DefaultWorkerDir,
			Protocol: ProtocolHTTP, ReadyPath: DefaultReadyPath, StopSignal: DefaultStopSignal, StopTimeout: DefaultStopTimeout,
		}, Replicas: one},
		// As many replicas as addresses: the size is given.
		{Kind: PoolEndpoints, Protocol: DefaultWorkerProtocol, Replicas: Replicas{Min: 3, Initial: 3, Max: 3}},
		{Kind: PoolDNS, DNSInterval: DefaultDNSInterval, Protocol: ProtocolHTTP, Replicas: one},
		{Kind: PoolCommand, Worker: &Worker{
			Command: []string{"tritonserver", "--model-repository=/models", "--grpc-port={grpc_port}"},
			Dir:     "/srv", Protocol: DefaultWorkerProtocol, StopSignal: "SIGINT", StopTimeout: time.Minute,
		}, Replicas: one},
	}
	var got []pool
	for _, p := range cfg.Pools {
		got = append(got, pool{p.Kind(cfg.Scaler.Driver), p.Worker, p.DNSInterval, p.Protocol, p.Replicas})
		if !p.Curve.IsZero() {
			t.Errorf("pool %s: curve %+v, want none", p.Name, p.Curve)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pools (-want +got):\n%s", diff)
	}
}

// TestPoolKind checks the kind of each combination of keys and driver.
func TestPoolKind(t *testing.T) {
	tests := []struct {
		name   string
		pool   Pool
		driver string
		want   PoolKind
		given  bool
	}{
		{"nothing: the emulator", Pool{}, DriverLocal, PoolEmulator, false},
		{"a worker", Pool{Worker: &Worker{}}, DriverLocal, PoolCommand, false},
		{"endpoints", Pool{Endpoints: []string{"a:1"}}, DriverLocal, PoolEndpoints, true},
		{"dns", Pool{DNS: "a:1"}, DriverLocal, PoolDNS, true},
		{"nothing under kubernetes: a Deployment", Pool{}, DriverKubernetes, PoolDeployment, false},
		{"endpoints under kubernetes", Pool{Endpoints: []string{"a:1"}}, DriverKubernetes, PoolEndpoints, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := tt.pool.Kind(tt.driver)
			if k != tt.want || k.GivenSize() != tt.given {
				t.Errorf("Kind = %s (given size %v), want %s (%v)", k, k.GivenSize(), tt.want, tt.given)
			}
		})
	}
}
