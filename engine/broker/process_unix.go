//go:build unix

package broker

import (
	"errors"
	"syscall"
)

// processGone reports whether no process has id pid. A process of another
// user answers EPERM: it exists.
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
