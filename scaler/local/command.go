package local

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The placeholders a Command's arguments and environment may hold, filled
// per replica and per start.
const (
	// PlaceholderHTTPPort is a free loopback port for the replica's HTTP
	// listener.
	PlaceholderHTTPPort = "{http_port}"
	// PlaceholderGRPCPort is a free loopback port for its gRPC listener.
	PlaceholderGRPCPort = "{grpc_port}"
	// PlaceholderReplica is the replica's ID, "<pool>-<n>".
	PlaceholderReplica = "{replica}"
	// PlaceholderPool is the pool's name.
	PlaceholderPool = "{pool}"
)

// The protocols a replica may serve batches over.
const (
	ProtocolGRPC = "grpc"
	ProtocolHTTP = "http"
)

// DefaultReadyPath is the HTTP path probed for a replica's readiness: the
// Open Inference Protocol's server readiness endpoint.
const DefaultReadyPath = "/v2/health/ready"

// loopback is the address every replica of a Command listens on.
const loopback = "127.0.0.1"

// Command runs each replica of a pool as a process of any program that
// serves the Open Inference Protocol v2: Triton, a KServe model server,
// the user's own binary, or `sluice worker`. The Supervisor picks free
// loopback ports for each start and fills the placeholders with them:
//
//	tritonserver --model-repository=/models --http-port={http_port}
//	    --grpc-port={grpc_port} --metrics=false
//
// The replica is ready once GET ReadyPath on its HTTP port answers 200
// or, for a command without {http_port}, once its gRPC port accepts a
// connection. Its stdout and stderr go to the Supervisor's logger, line
// by line, at Info, rate-limited. It is stopped with StopSignal, then
// SIGKILL after StopTimeout; signals go to its process group, so that a
// wrapper script's children stop too.
type Command struct {
	// Argv is the program and its arguments; not empty. Each may hold
	// the placeholders {http_port}, {grpc_port}, {replica} and {pool};
	// together with Env they must hold the port Protocol needs.
	Argv []string
	// Env is added to the gateway's environment; values may hold
	// placeholders. Nil adds nothing.
	Env map[string]string
	// Dir is the working directory; empty means the gateway's.
	Dir string
	// Protocol is how routing reaches a replica: ProtocolGRPC (the zero
	// value "" means it too) on {grpc_port}, or ProtocolHTTP on
	// {http_port}.
	Protocol string
	// ReadyPath is the HTTP path that answers 200 once the replica is
	// ready, on {http_port}; empty means DefaultReadyPath. It must start
	// with "/".
	ReadyPath string
	// StopSignal asks a replica to finish its in-flight requests and exit;
	// 0 means SIGTERM.
	StopSignal syscall.Signal
	// StopTimeout is the time between StopSignal and SIGKILL; 0 means
	// Options.StopGrace.
	StopTimeout time.Duration
}

// uses reports whether the command's arguments or environment hold
// placeholder.
func (c *Command) uses(placeholder string) bool {
	for _, a := range c.Argv {
		if strings.Contains(a, placeholder) {
			return true
		}
	}
	for _, v := range c.Env {
		if strings.Contains(v, placeholder) {
			return true
		}
	}
	return false
}

// validate reports why c cannot run, or nil; pool names the pool in the
// error.
func (c *Command) validate(pool string) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: pool %q: command: "+format, append([]any{ErrInvalidSpec, pool}, args...)...)
	}
	switch {
	case len(c.Argv) == 0 || c.Argv[0] == "":
		return fail("no program")
	case c.Protocol != "" && c.Protocol != ProtocolGRPC && c.Protocol != ProtocolHTTP:
		return fail("protocol %q, want %q or %q", c.Protocol, ProtocolGRPC, ProtocolHTTP)
	case c.Protocol == ProtocolHTTP && !c.uses(PlaceholderHTTPPort):
		return fail("protocol http, but no argument or variable holds %s", PlaceholderHTTPPort)
	case c.Protocol != ProtocolHTTP && !c.uses(PlaceholderGRPCPort):
		return fail("protocol grpc, but no argument or variable holds %s", PlaceholderGRPCPort)
	case c.ReadyPath != "" && !strings.HasPrefix(c.ReadyPath, "/"):
		return fail("ready path %q must start with /", c.ReadyPath)
	case c.ReadyPath != "" && !c.uses(PlaceholderHTTPPort):
		return fail("ready path %q, but no argument or variable holds %s", c.ReadyPath, PlaceholderHTTPPort)
	case c.StopTimeout < 0:
		return fail("stop timeout %v must be >= 0", c.StopTimeout)
	}
	return nil
}

// protocol returns the replica's protocol, ProtocolGRPC for "".
func (c *Command) protocol() string {
	if c.Protocol == "" {
		return ProtocolGRPC
	}
	return c.Protocol
}

// clone returns a deep copy of c, nil for nil.
func (c *Command) clone() *Command {
	if c == nil {
		return nil
	}
	out := *c
	out.Argv = slices.Clone(c.Argv)
	if c.Env != nil {
		out.Env = make(map[string]string, len(c.Env))
		for k, v := range c.Env {
			out.Env[k] = v
		}
	}
	return &out
}

// start is one start of a Command's replica: its arguments and
// environment filled in, and the addresses it listens on.
type start struct {
	argv  []string
	env   []string // the gateway's environment and the command's
	addrs addrs
}

// prepare fills c's placeholders for replica id of pool with free
// loopback ports, and returns the start.
func (c *Command) prepare(pool, id string) (start, error) {
	var a addrs
	vars := []string{PlaceholderReplica, id, PlaceholderPool, pool}
	for _, p := range []struct {
		name string
		addr *string
	}{{PlaceholderHTTPPort, &a.HTTP}, {PlaceholderGRPCPort, &a.GRPC}} {
		if !c.uses(p.name) {
			continue
		}
		port, err := freePort()
		if err != nil {
			return start{}, fmt.Errorf("local: worker %s: %w", id, err)
		}
		*p.addr = net.JoinHostPort(loopback, strconv.Itoa(port))
		vars = append(vars, p.name, strconv.Itoa(port))
	}
	fill := strings.NewReplacer(vars...)
	st := start{addrs: a, env: os.Environ()}
	for _, arg := range c.Argv {
		st.argv = append(st.argv, fill.Replace(arg))
	}
	for _, k := range sortedKeys(c.Env) {
		st.env = append(st.env, k+"="+fill.Replace(c.Env[k]))
	}
	return st, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// freePort returns a loopback TCP port that is free now. Another process
// may take it before the replica binds it; the replica then fails to
// start and is started again, with new ports.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// execStart starts st as a child process in its own process group, in dir,
// its output to stdout and stderr, its stdin a pipe the Supervisor holds
// open. Terminate sends stop to the group, Kill SIGKILL.
func execStart(st start, dir string, stop syscall.Signal, stdout, stderr io.Writer) (Process, error) {
	cmd := exec.Command(st.argv[0], st.argv[1:]...)
	cmd.Env, cmd.Dir = st.env, dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = waitDelay
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("stdin: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", st.argv[0], err)
	}
	if stop == 0 {
		stop = syscall.SIGTERM
	}
	return group{child: child{cmd: cmd, stdin: stdin}, stop: stop}, nil
}

// group is a command's process and the processes it started, which share
// its process group.
type group struct {
	child
	stop syscall.Signal
}

// Terminate sends the stop signal to the group.
func (g group) Terminate() error { return g.signal(g.stop) }

// Kill sends SIGKILL to the group.
func (g group) Kill() error { return g.signal(syscall.SIGKILL) }
