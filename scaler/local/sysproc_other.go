//go:build !linux

package local

import "syscall"

// sysProcAttr returns nil: outside Linux, a worker learns of the gateway's
// death only from its stdin pipe closing.
func sysProcAttr() *syscall.SysProcAttr { return nil }
