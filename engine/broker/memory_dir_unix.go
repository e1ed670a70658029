//go:build unix

package broker

import (
	"errors"
	"syscall"
)

// processGone reports whether no process has id pid. A process of another
// user answers EPERM: it exists. So does one killed but not yet reaped by
// its parent: its directory goes at a later start.
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// freeBytes returns the bytes unprivileged users may still write on the
// file system holding dir.
func freeBytes(dir string) (int64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}
