//go:build linux

package local

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// alive reports whether process pid exists and is not a zombie.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	state, _, ok := procStat(strconv.Itoa(pid))
	return ok && state != "Z" && state != "X"
}

// children returns the live child processes of this process; ok is false
// where the platform cannot list them.
func children() (pids []int, ok bool) {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	self := os.Getpid()
	for _, dir := range dirs {
		name := filepath.Base(dir)
		state, ppid, ok := procStat(name)
		if ok && ppid == self && state != "Z" && state != "X" {
			pid, _ := strconv.Atoi(name)
			pids = append(pids, pid)
		}
	}
	return pids, true
}

// procStat returns the state and parent pid from /proc/<pid>/stat, whose
// fields after "pid (comm)" are "state ppid ...".
func procStat(pid string) (state string, ppid int, ok bool) {
	data, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return "", 0, false
	}
	fields := bytes.Fields(data[bytes.LastIndexByte(data, ')')+1:])
	if len(fields) < 2 {
		return "", 0, false
	}
	ppid, err = strconv.Atoi(string(fields[1]))
	return string(fields[0]), ppid, err == nil
}
