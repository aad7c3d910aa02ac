// Package statetest runs a real Redis server for tests: Debian's
// redis-server, on a free loopback port, in a temporary directory,
// stopped when the test ends. A test can stop it and start it again on
// the same port, to see what an outage does.
package statetest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// RequireToolsEnv, set to 1 (as `make test` does, after installing it),
// turns a missing redis-server from a skip into a failure.
const RequireToolsEnv = "SLUICE_REQUIRE_TEST_TOOLS"

// Redis is a redis-server the test started.
type Redis struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// StartRedis starts a redis-server on a free loopback port, persisting
// nothing, and stops it when the test ends. Without redis-server on PATH
// it skips the test, or fails it when RequireToolsEnv is 1.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server not found: install Debian's package redis-server (apt-get install -y redis-server, or make test, which runs hack/install-test-tools.sh)"
		if os.Getenv(RequireToolsEnv) != "1" {
			t.Skipf("%s; a missing tool fails the test only with %s=1", msg, RequireToolsEnv)
		}
		t.Fatal(msg)
	}
	r := &Redis{t: t, bin: bin, dir: t.TempDir(), port: freePort(t)}
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// Addr returns the server's host:port.
func (r *Redis) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port)) }

// Start starts the server on its port, and returns once it answers PING.
// It does nothing while the server runs.
func (r *Redis) Start() {
	r.t.Helper()
	if r.cmd != nil {
		return
	}
	r.cmd = exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--dir", r.dir, "--save", "", "--appendonly", "no", "--logfile", "")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("starting redis-server: %v", err)
	}
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(r.cmd, r.done)
	deadline := time.Now().Add(10 * time.Second)
	for !r.answers() {
		if time.Now().After(deadline) {
			r.Stop()
			r.t.Fatalf("redis-server on %s did not answer PING within 10s", r.Addr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server and waits for it to exit. It does nothing when
// the server does not run.
func (r *Redis) Stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.done
	r.cmd = nil
}

// answers reports whether the server answers PING.
func (r *Redis) answers() bool {
	c, err := net.DialTimeout("tcp", r.Addr(), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := fmt.Fprint(c, "PING\r\n"); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// freePort returns a loopback port no one listened on a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
