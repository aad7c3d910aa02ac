package configs

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults of the keys that say who runs a pool's workers.
const (
	// DefaultWorkerProtocol is how batches reach a pool's workers: the
	// Open Inference Protocol v2 over gRPC.
	DefaultWorkerProtocol = ProtocolGRPC
	// DefaultReadyPath is the HTTP path probed for a command's replica's
	// readiness, on its {http_port}: the protocol's server readiness.
	DefaultReadyPath = "/v2/health/ready"
	// DefaultStopSignal asks a command's replica to finish and exit.
	DefaultStopSignal = "SIGTERM"
	// DefaultStopTimeout is the time between a replica's stop signal and
	// SIGKILL.
	DefaultStopTimeout = 15 * time.Second
	// DefaultWorkerDir runs a command in the directory of the
	// configuration file.
	DefaultWorkerDir = "."
	// DefaultDNSInterval is the time between two lookups of a dns pool's
	// name.
	DefaultDNSInterval = 10 * time.Second
)

// The protocols a pool's workers may serve batches over.
const (
	ProtocolGRPC = "grpc"
	ProtocolHTTP = "http"
)

// The placeholders a command's arguments and environment may hold, which
// Sluice fills per replica and per start: two free loopback ports, the
// replica's name ("<pool>-<n>") and the pool's. They are the local
// driver's (scaler/local), written here to check a command before it runs.
const (
	PlaceholderHTTPPort = "{http_port}"
	PlaceholderGRPCPort = "{grpc_port}"
	PlaceholderReplica  = "{replica}"
	PlaceholderPool     = "{pool}"
)

// StopSignals are the signals Worker.StopSignal may name.
var StopSignals = []string{"SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP"}

// PoolKind says who runs a pool's workers and how Sluice learns of them.
type PoolKind string

// The kinds of pool.
const (
	// PoolEmulator: the local driver runs `sluice worker`, which emulates
	// the pool's curve; the quickstart's pools.
	PoolEmulator PoolKind = "emulator"
	// PoolCommand: the local driver runs the pool's worker command.
	PoolCommand PoolKind = "command"
	// PoolEndpoints: fixed addresses Sluice routes to but does not start.
	PoolEndpoints PoolKind = "endpoints"
	// PoolDNS: the addresses a DNS name resolves to, looked up again and
	// again; not started by Sluice either.
	PoolDNS PoolKind = "dns"
	// PoolDeployment: the Kubernetes driver's Deployment "sluice-<pool>".
	PoolDeployment PoolKind = "deployment"
)

// Kind returns who runs the pool's workers under driver (scaler.driver).
func (p Pool) Kind(driver string) PoolKind {
	switch {
	case len(p.Endpoints) > 0:
		return PoolEndpoints
	case p.DNS != "":
		return PoolDNS
	case driver == DriverKubernetes:
		return PoolDeployment
	case p.Worker != nil:
		return PoolCommand
	}
	return PoolEmulator
}

// GivenSize reports whether a pool of kind k has the size its addresses
// give it: Sluice routes to its workers, checks, prices and measures them,
// but does not start or stop them, so the scaler does not resize it.
func (k PoolKind) GivenSize() bool { return k == PoolEndpoints || k == PoolDNS }

// Worker runs each replica of a pool as a process of any program that
// serves the Open Inference Protocol v2 — Triton, a KServe model server,
// the user's own — under the local driver. Sluice fills the placeholders
// {http_port}, {grpc_port}, {replica} and {pool} of Command and Env at
// each start, restarts a replica that exits, and stops one gracefully
// when the pool scales down.
type Worker struct {
	// Command is the program and its arguments; required. Together with
	// Env it must hold {grpc_port} when Protocol is grpc, {http_port}
	// when it is http.
	Command []string `yaml:"command"`
	// Env is added to the gateway's environment; values may hold
	// placeholders.
	Env map[string]string `yaml:"env"`
	// Dir is the replicas' working directory; a relative path is taken
	// from the directory of the configuration file. Default "."
	// (DefaultWorkerDir): that directory.
	Dir string `yaml:"dir"`
	// Protocol is how batches reach a replica: grpc (the default,
	// DefaultWorkerProtocol) on {grpc_port}, or http on {http_port}.
	Protocol string `yaml:"protocol"`
	// ReadyPath is the HTTP path that answers 200 once a replica is
	// ready, on its {http_port}; it starts with "/". Default
	// /v2/health/ready (DefaultReadyPath) when the command holds
	// {http_port}; without it, a replica is ready once its gRPC port
	// accepts a connection.
	ReadyPath string `yaml:"ready_path"`
	// StopSignal asks a replica to finish its requests and exit: one of
	// StopSignals; default SIGTERM (DefaultStopSignal).
	StopSignal string `yaml:"stop_signal"`
	// StopTimeout is the time between StopSignal and SIGKILL; > 0,
	// default 15s (DefaultStopTimeout).
	StopTimeout time.Duration `yaml:"stop_timeout"`
}

// Uses reports whether the command's arguments or environment hold
// placeholder.
func (w *Worker) Uses(placeholder string) bool {
	has := func(s string) bool { return strings.Contains(s, placeholder) }
	return slices.ContainsFunc(w.Command, has) || slices.ContainsFunc(mapValues(w.Env), has)
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// applyDefaults fills the keys of a pool of kind k that say who runs its
// workers.
func (p *Pool) applyWorkerDefaults(k PoolKind) {
	switch k {
	case PoolCommand:
		p.Worker.applyDefaults()
	case PoolDNS:
		fillIfZero(&p.DNSInterval, DefaultDNSInterval)
		fallthrough
	case PoolEndpoints:
		fillIfZero(&p.Protocol, DefaultWorkerProtocol)
	}
}

func (w *Worker) applyDefaults() {
	fillIfZero(&w.Dir, DefaultWorkerDir)
	fillIfZero(&w.Protocol, DefaultWorkerProtocol)
	if w.Uses(PlaceholderHTTPPort) {
		fillIfZero(&w.ReadyPath, DefaultReadyPath)
	}
	fillIfZero(&w.StopSignal, DefaultStopSignal)
	fillIfZero(&w.StopTimeout, DefaultStopTimeout)
}

// workers checks the keys that say who runs pool p's workers (f is its
// field path), under driver: one of worker, endpoints and dns at most,
// each complete, and none that its kind cannot use.
func (c *checker) workers(f string, p Pool, driver string) {
	set := p.sources()
	if len(set) > 1 {
		both := strings.Join(set[:len(set)-1], ", ") + " and " + set[len(set)-1]
		c.addf(f+"."+set[1], "set one of worker, endpoints and dns, not %s", both)
		return
	}
	kind := p.Kind(driver)
	if p.Worker != nil {
		c.worker(f+".worker", *p.Worker, driver)
	}
	for i, e := range p.Endpoints {
		c.hostPort(fmt.Sprintf("%s.endpoints[%d]", f, i), e)
		if slices.Contains(p.Endpoints[:i], e) {
			c.addf(fmt.Sprintf("%s.endpoints[%d]", f, i), "%q is listed twice", e)
		}
	}
	if p.DNS != "" {
		c.hostPort(f+".dns", p.DNS)
	}
	switch {
	case p.DNSInterval != 0 && kind != PoolDNS:
		c.addf(f+".dns_interval", "is only for a pool with dns")
	case kind == PoolDNS:
		c.positive(f+".dns_interval", p.DNSInterval)
	}
	switch {
	case p.Protocol != "" && (kind == PoolEmulator || kind == PoolCommand):
		c.addf(f+".protocol", "is for pools with endpoints or dns (or under scaler.driver %s); "+
			"a command's protocol goes under worker, and emulated workers speak grpc", DriverKubernetes)
	case p.Protocol != "":
		c.protocolName(f+".protocol", p.Protocol)
	}
	if kind == PoolEmulator && p.Curve.IsZero() {
		c.addf(f+".curve", "is required for emulated workers (a pool without worker, endpoints or dns); "+
			"a pool of real model servers may leave it out, and Sluice measures it")
	}
}

// sources returns the keys of p that name where its workers come from.
func (p Pool) sources() []string {
	var set []string
	if p.Worker != nil {
		set = append(set, "worker")
	}
	if len(p.Endpoints) > 0 {
		set = append(set, "endpoints")
	}
	if p.DNS != "" {
		set = append(set, "dns")
	}
	return set
}

// worker checks a command pool's worker under driver.
func (c *checker) worker(f string, w Worker, driver string) {
	if driver == DriverKubernetes {
		c.addf(f, "under scaler.driver %s a pool's workers are the pods of its Deployment sluice-<pool>: "+
			"make the Deployment's image the model server (configs/kubernetes/pools.yaml) instead", DriverKubernetes)
		return
	}
	if len(w.Command) == 0 || w.Command[0] == "" {
		c.addf(f+".command", "must name a program")
	}
	c.protocolName(f+".protocol", w.Protocol)
	port := map[string]string{ProtocolGRPC: PlaceholderGRPCPort, ProtocolHTTP: PlaceholderHTTPPort}[w.Protocol]
	if port != "" && !w.Uses(port) {
		c.addf(f+".command", "protocol %s needs %s in the command or env: the port Sluice picks for each replica", w.Protocol, port)
	}
	switch {
	case w.ReadyPath != "" && !strings.HasPrefix(w.ReadyPath, "/"):
		c.addf(f+".ready_path", "%q must start with /", w.ReadyPath)
	case w.ReadyPath != "" && !w.Uses(PlaceholderHTTPPort):
		c.addf(f+".ready_path", "%q is probed on the replica's %s, which neither the command nor env holds", w.ReadyPath, PlaceholderHTTPPort)
	}
	if !slices.Contains(StopSignals, w.StopSignal) {
		c.addf(f+".stop_signal", "%q is not one of %s", w.StopSignal, strings.Join(StopSignals, ", "))
	}
	c.positive(f+".stop_timeout", w.StopTimeout)
}

// protocolName reports a protocol other than grpc and http.
func (c *checker) protocolName(field, p string) {
	if p != ProtocolGRPC && p != ProtocolHTTP {
		c.addf(field, "%q must be %s or %s", p, ProtocolGRPC, ProtocolHTTP)
	}
}

// hostPort reports an address that is not host:port with a host and a
// port in 1..65535.
func (c *checker) hostPort(field, addr string) {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	switch {
	case err != nil:
		c.addf(field, "%q is not host:port", addr)
	case host == "":
		c.addf(field, "%q has no host", addr)
	case perr != nil || n < 1 || n > 65535:
		c.addf(field, "%q: port %q must be a number in 1..65535", addr, port)
	}
}
