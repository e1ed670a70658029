package broker

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// TestLogWithoutDataDirLivesInAMemoryDirUntilClose: a broker without a
// data directory writes its log into a directory of its own under
// MemoryDir, serves what was produced from it, and removes it on Close.
func TestLogWithoutDataDirLivesInAMemoryDirUntilClose(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	parent := t.TempDir()
	b, err := Start(Config{Addr: "127.0.0.1:0", Topics: []string{"t"}, Partitions: 1, MemoryDir: parent})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	dir := b.MemoryDir()
	host, _ := os.Hostname()
	if want := filepath.Join(parent, memoryDirPattern(os.Getpid(), host)); !strings.HasPrefix(dir, want) {
		t.Fatalf("log directory %q, want one starting %q", dir, want)
	}
	const n = 100
	produceNumbered(ctx, t, b.Addr(), n)
	var logBytes int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			logBytes += fi.Size()
		}
		return nil
	})
	if logBytes == 0 {
		t.Fatalf("nothing written under %s after producing %d records", dir, n)
	}
	conn, err := kafka.DialLeader(ctx, "tcp", b.Addr(), "t", 0)
	if err != nil {
		t.Fatal(err)
	}
	m, err := conn.ReadMessage(1 << 20)
	conn.Close()
	if err != nil || !strings.HasPrefix(string(m.Value), "0 ") {
		t.Fatalf("reading the first record back: %q, %v", m.Value, err)
	}
	b.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("log directory %s after Close: %v, want it removed", dir, err)
	}
}

// TestStartRemovesLogDirsOfProcessesGone: a broker killed before Close
// leaves its log in memory; the next broker to start on the same host
// removes the directories of processes that no longer run, and only
// those.
func TestStartRemovesLogDirsOfProcessesGone(t *testing.T) {
	parent := t.TempDir()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	dirs := map[string]bool{ // name: still there after Start
		memoryDirPattern(gone.Process.Pid, host) + "1":           false,
		memoryDirPattern(os.Getppid(), host) + "2":               true, // the test's parent runs
		memoryDirPattern(os.Getpid(), host) + "3":                true, // this process: another broker of it
		memoryDirPattern(gone.Process.Pid, "another-host") + "4": true, // its process ids are not ours
		memoryDirPrefix + "not-a-pid":                            true,
		"reco-other":                                             true,
	}
	for name := range dirs {
		if err := os.MkdirAll(filepath.Join(parent, name, "partitions"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b, err := Start(Config{Addr: "127.0.0.1:0", Topics: []string{"t"}, Partitions: 1, MemoryDir: parent})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for name, kept := range dirs {
		_, err := os.Stat(filepath.Join(parent, name))
		if there := err == nil; there != kept {
			t.Errorf("%s there after Start: %v, want %v", name, there, kept)
		}
	}
}

// TestStartFailsWhenTheMemoryDirIsUnusable: a MemoryDir given explicitly
// must work; only the default may quietly fall back to the heap.
func TestStartFailsWhenTheMemoryDirIsUnusable(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := Start(Config{Addr: "127.0.0.1:0", Topics: []string{"t"}, MemoryDir: notADir})
	if err == nil {
		b.Close()
		t.Fatalf("Start with MemoryDir %s (a file) succeeded, want an error", notADir)
	}
	if !strings.Contains(err.Error(), notADir) {
		t.Fatalf("error %q does not name %s", err, notADir)
	}
}

// TestDefaultMemoryDirNeedsRoomForTheLog: without room for the log on
// /dev/shm (a container's is often 64 MiB), the log stays in the heap
// rather than fail every produce once the file system is full.
func TestDefaultMemoryDirNeedsRoomForTheLog(t *testing.T) {
	dir, err := makeMemoryDir("", 1<<62)
	if err != nil || dir != "" {
		removeMemoryDir(dir)
		t.Fatalf("makeMemoryDir with no room = %q, %v; want \"\", nil (the heap)", dir, err)
	}
}
