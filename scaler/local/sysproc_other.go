//go:build !linux

package local

import "syscall"

// sysProcAttr returns nil: outside Linux, a worker learns of the gateway's
// death only from its stdin pipe closing.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// signal sends sig to the process; outside Linux, a process group is not
// assumed.
func (g group) signal(sig syscall.Signal) error { return g.cmd.Process.Signal(sig) }
