//go:build !unix

package broker

// processGone cannot tell here; a directory is never taken for abandoned.
func processGone(int) bool { return false }

// freeBytes cannot tell here.
func freeBytes(string) (int64, bool) { return 0, false }
