package system

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// machineTicks returns the CPU time all the machine's processors spent
// busy and in all since boot, in clock ticks, from /proc/stat; false on
// systems without it.
func machineTicks() (busy, total uint64, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		return 0, 0, false
	}
	return parseCPULine(line)
}

// parseCPULine parses the "cpu" line of /proc/stat: user, nice, system,
// idle, iowait, irq, softirq and steal ticks (guest time, which follows,
// is already counted in user); idle and iowait are not busy.
func parseCPULine(line string) (busy, total uint64, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0, false
	}
	for i, f := range fields[1:min(len(fields), 9)] {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total, true
}

// busyShare returns the share of the machine's CPU time spent busy
// between two readings of machineTicks; 0 when unknown.
func busyShare(busy0, total0, busy1, total1 uint64) float64 {
	if total1 <= total0 || busy1 < busy0 {
		return 0
	}
	return benchRound(float64(busy1-busy0)/float64(total1-total0), 3)
}
