package broker

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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
// process id and the host name follow (memoryDirPattern), so that
// directories left by a process that is gone (killed before Close) can be
// told apart and removed — and only by a process of the same host: a
// container sharing /dev/shm with another has its own process ids.
const memoryDirPrefix = "reco-broker-"

// memoryDirPattern is the start of the log directory's name for process
// pid on host: os.MkdirTemp adds a random end.
func memoryDirPattern(pid int, host string) string {
	return fmt.Sprintf("%s%d@%s-", memoryDirPrefix, pid, host)
}

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
	host, _ := os.Hostname()
	removeAbandonedMemoryDirs(parent, host)
	dir, err := os.MkdirTemp(parent, memoryDirPattern(os.Getpid(), host))
	if err != nil {
		if explicit {
			return "", fmt.Errorf("making the log's directory in %s: %w", parent, err)
		}
		return "", nil
	}
	return dir, nil
}

// logBound is the most the log of cfg's topics may take (RetentionBytes a
// partition), or 1 GiB when retention keeps everything.
func logBound(cfg Config) int64 {
	if cfg.RetentionBytes == 0 {
		return 1 << 30
	}
	return cfg.RetentionBytes * int64(cfg.Partitions) * int64(max(len(cfg.Topics), 1))
}

// removeAbandonedMemoryDirs removes the log directories under parent of
// processes of host that no longer run: a broker killed before Close
// leaves its log behind, in memory until the machine restarts.
func removeAbandonedMemoryDirs(parent, host string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), memoryDirPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, rest, ok := strings.Cut(rest, "@")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid == os.Getpid() || !strings.HasPrefix(rest, host+"-") {
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
