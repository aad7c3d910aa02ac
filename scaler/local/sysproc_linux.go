//go:build linux

package local

import "syscall"

// sysProcAttr puts a worker in its own process group, so a terminal's
// Ctrl-C reaches only the gateway, which then stops its workers in order,
// and has the kernel kill the worker if the gateway dies.
//
// The kernel sends Pdeathsig when the thread that forked the worker exits,
// not only the process; the Go runtime keeps its threads unless a goroutine
// exits while locked to one. The stdin pipe covers every other case.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signal sends sig to c's process group, or to c alone if that fails;
// the process may already be gone.
func (g group) signal(sig syscall.Signal) error {
	if err := syscall.Kill(-g.cmd.Process.Pid, sig); err == nil {
		return nil
	}
	return g.cmd.Process.Signal(sig)
}
