package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// resourceUse is what the machine has spent so far: this process's CPU
// time, minor page faults and voluntary context switches (getrusage), and
// the jiffies all CPUs spent busy and idle (/proc/stat, zero where there
// is none). The ingest benchmark takes the difference over each phase: on
// a VM where a page fault costs ~11 µs, faults are a quarter of both
// phases' CPU, and the idle share is how the engine's phase was found to
// leave a CPU unused a tenth of the time (docs/performance.md, Ingest);
// the engine's threads go to sleep six times as often as the reader's.
type resourceUse struct {
	cpu        time.Duration
	faults     int64
	sleeps     int64 // voluntary context switches: a thread of the process went to sleep
	process    bool  // cpu, faults and sleeps were measured: getrusage is Unix's
	busy, idle int64
}

// readResourceUse returns what has been spent up to now.
func readResourceUse() resourceUse {
	var u resourceUse
	u.cpu, u.faults, u.sleeps, u.process = processUse()
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		u.busy, u.idle, _ = parseProcStat(string(b))
	}
	return u
}

// since returns what was spent between start and u.
func (u resourceUse) since(start resourceUse) resourceUse {
	return resourceUse{cpu: u.cpu - start.cpu, faults: u.faults - start.faults, sleeps: u.sleeps - start.sleeps,
		process: u.process && start.process, busy: u.busy - start.busy, idle: u.idle - start.idle}
}

// idlePercent returns the share of the CPUs' time spent idle, or -1 when
// /proc/stat was not there to say.
func (u resourceUse) idlePercent() float64 {
	if u.busy+u.idle <= 0 {
		return -1
	}
	return 100 * float64(u.idle) / float64(u.busy+u.idle)
}

// parseProcStat reads the all-CPUs line of /proc/stat ("cpu user nice
// system idle iowait irq softirq steal ..."): busy is user, nice, system,
// irq, softirq and steal; idle is idle and iowait.
func parseProcStat(content string) (busy, idle int64, ok bool) {
	line, _, _ := strings.Cut(content, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, false
	}
	var v [8]int64
	for i := range v {
		n, err := strconv.ParseInt(f[1+i], 10, 64)
		if err != nil {
			return 0, 0, false
		}
		v[i] = n
	}
	return v[0] + v[1] + v[2] + v[5] + v[6] + v[7], v[3] + v[4], true
}
