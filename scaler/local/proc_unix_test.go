//go:build unix && !linux

package local

import "syscall"

// alive reports whether process pid exists; a zombie counts as alive.
func alive(pid int) bool {
	return pid > 0 && syscall.Kill(pid, 0) == nil
}

// children returns false: listing child processes needs /proc.
func children() (pids []int, ok bool) { return nil, false }
