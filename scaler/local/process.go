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
	"strconv"
	"syscall"
	"time"
)

// listenAddr asks a worker to listen on a free loopback port.
const listenAddr = "127.0.0.1:0"

// waitDelay bounds how long reaping a worker waits for its output pipes
// after it exits, in case a process it started still holds them.
const waitDelay = time.Second

// process is one running worker process.
type process struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser // held open: the worker exits when it closes
	addrs   addrs
	started time.Time
	done    chan struct{} // closed once the process has exited and been reaped
	err     error         // the exit status; read only after done
}

// workerArgs returns the argv that starts worker id of a pool run with
// poolArgs, after the command prefix.
func workerArgs(id string, poolArgs []string) []string {
	args := []string{"--name", id, "--http", listenAddr, "--grpc", listenAddr, "--exit-on-stdin-close"}
	return append(args, poolArgs...)
}

// launch starts worker id and returns once it has announced its addresses.
// It kills the process and fails, wrapping ErrAnnounce, if the worker exits,
// misannounces or stays silent for the start timeout, and with ctx's error
// if ctx is done first.
func (s *Supervisor) launch(ctx context.Context, id string, poolArgs []string) (*process, error) {
	log := s.log.With("worker", id)
	out := newAnnouncer(newLineWriter(log, "stdout"))
	stderr := newLineWriter(log, "stderr")
	argv := append(append([]string(nil), s.opts.Command...), workerArgs(id, poolArgs)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, stderr
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = waitDelay
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("local: worker %s: stdin: %w", id, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("local: worker %s: start %s: %w", id, argv[0], err)
	}
	p := &process{cmd: cmd, stdin: stdin, started: time.Now(), done: make(chan struct{})}
	go p.wait(out.rest, stderr)
	if err := p.awaitAnnounce(ctx, id, out.result, s.opts.StartTimeout); err != nil {
		return nil, err
	}
	return p, nil
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

// wait reaps the process, flushes its last partial output lines and closes
// done.
func (p *process) wait(outputs ...*lineWriter) {
	p.err = p.cmd.Wait()
	for _, w := range outputs {
		w.Flush()
	}
	close(p.done)
}

// pid returns the process id.
func (p *process) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// terminate asks the worker to finish its in-flight requests and exit
// (SIGTERM), waits up to grace, then kills it; it returns once the process
// has been reaped.
func (p *process) terminate(grace time.Duration) {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.kill() // the platform has no SIGTERM
	}
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

// kill sends SIGKILL; the process may already be gone.
func (p *process) kill() { _ = p.cmd.Process.Kill() }

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
