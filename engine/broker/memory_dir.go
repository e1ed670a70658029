package broker

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Without a data directory the broker still keeps its log in files, in a
// directory of its own on a memory filesystem (/dev/shm), rather than
// leaving it to kfake's in-process file system. kfake's keeps each
// segment in a Go byte slice that it grows by doubling and copying: every
// event produced was copied about twice more into fresh heap memory, a
// page fault per 4 KiB (~13 µs on this VM), on the broker's one
// goroutine that every produce and fetch waits for. Written to tmpfs the
// same bytes go into pages the kernel hands out, outside the heap. At
// 200 k events/s of a shop's stream with 30,000 feeds/s asked on two CPUs,
// event-to-visible p99 went from 48–113 ms to 28–59 ms and the POST's own
// p99 from 16–35 ms to 10–19 ms (docs/performance.md, Freshness).

// memoryDirPrefix starts the name of every broker's log directory; the
// process id follows, so that directories left by a process that is gone
// (killed before Close) can be told apart and removed.
const memoryDirPrefix = "reco-broker-"

// defaultMemoryDir is Config.MemoryDir's default.
const defaultMemoryDir = "/dev/shm"

// makeMemoryDir makes the log's directory under parent (default
// defaultMemoryDir), first removing those of processes that are gone. It
// returns "" without error when parent is the default and unusable —
// there is no /dev/shm on macOS, and a container's may hold less than
// need bytes (Docker's: 64 MiB) — and kfake then keeps the log in the
// heap: a log that fills its file system fails every produce.
func makeMemoryDir(parent string, need int64) (string, error) {
	explicit := parent != ""
	if !explicit {
		parent = defaultMemoryDir
		if fi, err := os.Stat(parent); err != nil || !fi.IsDir() {
			return "", nil
		}
		if free, ok := freeBytes(parent); !ok || free < need {
			return "", nil
		}
	}
	removeAbandonedMemoryDirs(parent)
	dir, err := os.MkdirTemp(parent, fmt.Sprintf("%s%d-", memoryDirPrefix, os.Getpid()))
	if err != nil {
		if explicit {
			return "", fmt.Errorf("making the log's directory in %s: %w", parent, err)
		}
		return "", nil
	}
	return dir, nil
}

// removeAbandonedMemoryDirs removes the log directories under parent of
// processes that no longer run: a broker killed before Close leaves its
// log behind, in memory until the machine restarts.
func removeAbandonedMemoryDirs(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), memoryDirPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(rest, "%d-", &pid); err != nil || pid == os.Getpid() {
			continue
		}
		if processGone(pid) {
			os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

// removeMemoryDir removes a directory makeMemoryDir made ("" is none).
func removeMemoryDir(dir string) {
	if dir != "" {
		os.RemoveAll(dir)
	}
}
