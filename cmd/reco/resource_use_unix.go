//go:build unix

package main

import (
	"syscall"
	"time"
)

// processUse returns this process's CPU time, minor page faults and
// voluntary context switches so far (getrusage).
func processUse() (cpu time.Duration, faults, sleeps int64, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, 0, false
	}
	// Minflt and Nvcsw are int32 on some platforms.
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), int64(ru.Minflt), int64(ru.Nvcsw), true
}
