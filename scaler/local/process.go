package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// listenAddr asks a worker to listen on a free loopback port.
const listenAddr = "127.0.0.1:0"

// waitDelay bounds how long reaping a worker waits for its output pipes
// after it exits, in case a process it started still holds them.
const waitDelay = time.Second

// Process is one started worker, as a Starter returns it.
type Process interface {
	// Pid returns the worker's process id, or 0 for a worker that is not
	// a process of its own.
	Pid() int
	// Terminate asks the worker to finish its in-flight requests and
	// exit; it returns at once.
	Terminate() error
	// Kill stops the worker now; a worker that cannot be stopped at once
	// is asked to stop as by Terminate.
	Kill() error
	// Wait returns once the worker has exited and stopped writing its
	// output, with nil after a clean exit. It is called once.
	Wait() error
}

// A Starter starts one worker. args are the worker's flags: --name ID,
// --http ADDR and --grpc ADDR (each ADDR a loopback address with port 0,
// for the worker to pick a free port), then its pool's Args. The worker
// writes its address line, then anything else, to stdout, and its logs
// to stderr, until it exits.
type Starter func(args []string, stdout, stderr io.Writer) (Process, error)

// CommandStarter returns the Starter that runs each worker as a child
// process: command followed by --exit-on-stdin-close and the worker's
// flags. The child's stdin is a pipe the Supervisor holds open, so the
// worker exits when the Supervisor's process dies.
func CommandStarter(command []string) Starter {
	command = slices.Clone(command)
	return func(args []string, stdout, stderr io.Writer) (Process, error) {
		argv := append(append(slices.Clone(command), "--exit-on-stdin-close"), args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		cmd.SysProcAttr = sysProcAttr()
		cmd.WaitDelay = waitDelay
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return nil, fmt.Errorf("stdin: %w", err)
		}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start %s: %w", argv[0], err)
		}
		return child{cmd: cmd, stdin: stdin}, nil
	}
}

// child is a worker run as a child process.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser // held open: the worker exits when it closes
}

func (c child) Pid() int { return c.cmd.Process.Pid }

// Terminate sends SIGTERM, or kills the process on a platform without it.
func (c child) Terminate() error {
	err := c.cmd.Process.Signal(syscall.SIGTERM)
	if err != nil && !errors.Is(err, os.ErrProcessDone) {
		return c.Kill()
	}
	return nil
}

// Kill sends SIGKILL; the process may already be gone.
func (c child) Kill() error { return c.cmd.Process.Kill() }

func (c child) Wait() error { return c.cmd.Wait() }

// process is one started worker as the Supervisor tracks it.
type process struct {
	proc    Process
	addrs   addrs
	recipe  recipe // how it was started
	started time.Time
	done    chan struct{} // closed once the worker has exited and been reaped
	err     error         // how it exited; read only after done
}

// workerArgs returns the flags of worker id of a pool run with poolArgs.
func workerArgs(id string, poolArgs []string) []string {
	args := []string{"--name", id, "--http", listenAddr, "--grpc", listenAddr}
	return append(args, poolArgs...)
}

// awaitAnnounce waits for the worker's address line and records it in p. On
// failure it kills the process and returns after it has been reaped.
func (p *process) awaitAnnounce(ctx context.Context, id string, result <-chan announcement, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var err error
	select {
	case a := <-result:
		if a.err == nil {
			p.addrs = a.addrs
			return nil
		}
		err = fmt.Errorf("local: worker %s: %w", id, a.err)
	case <-p.done:
		return fmt.Errorf("%w: worker %s exited: %v", ErrAnnounce, id, p.err)
	case <-timer.C:
		err = fmt.Errorf("%w: worker %s: nothing within %v", ErrAnnounce, id, timeout)
	case <-ctx.Done():
		err = fmt.Errorf("local: worker %s: %w", id, ctx.Err())
	}
	p.kill()
	<-p.done
	return err
}

// wait reaps the process, flushes its last partial output lines, reports
// the lines its output's rate limit dropped, and closes done.
func (p *process) wait(out *output, writers ...*lineWriter) {
	p.err = p.proc.Wait()
	for _, w := range writers {
		w.Flush()
	}
	out.close()
	close(p.done)
}

// pid returns the process id, 0 for a worker that is not a process.
func (p *process) pid() int { return p.proc.Pid() }

// terminate asks the worker to finish its in-flight requests and exit,
// waits up to grace, then kills it; it returns once the worker has been
// reaped.
func (p *process) terminate(grace time.Duration) {
	_ = p.proc.Terminate()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
		return
	case <-timer.C:
		p.kill()
	}
	<-p.done
}

// kill stops the worker now; it may already be gone.
func (p *process) kill() { _ = p.proc.Kill() }

// parseAnnounce decodes a worker's address line,
// {"http":"host:port","grpc":"host:port"}. Unknown keys are ignored.
func parseAnnounce(line []byte) (addrs, error) {
	var a addrs
	if err := json.Unmarshal(line, &a); err != nil {
		return addrs{}, fmt.Errorf("%w: line %q: %v", ErrAnnounce, line, err)
	}
	fields := []struct{ key, addr string }{{"http", a.HTTP}, {"grpc", a.GRPC}}
	for _, f := range fields {
		if err := checkAddr(f.addr); err != nil {
			return addrs{}, fmt.Errorf("%w: line %q: %s = %q: %v", ErrAnnounce, line, f.key, f.addr, err)
		}
	}
	return a, nil
}

// checkAddr reports whether addr is a host:port with a port in 1..65535.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "" {
		return errors.New("no host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q out of 1..65535", port)
	}
	return nil
}
