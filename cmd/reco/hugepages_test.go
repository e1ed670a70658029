package main

import (
	"bytes"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func TestTHPMode(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{"always [madvise] never\n", "madvise"},
		{"[always] madvise never\n", "always"},
		{"always madvise [never]\n", "never"},
		{"always madvise never\n", ""},
		{"", ""},
		{"[]\n", ""},
	} {
		if got := thpMode(tc.content); got != tc.want {
			t.Errorf("thpMode(%q) = %q, want %q", tc.content, got, tc.want)
		}
	}
}

func TestHeapHugePagesPlan(t *testing.T) {
	const madvise, always, never = "always [madvise] never\n", "[always] madvise never\n", "always madvise [never]\n"
	const gib = 1 << 30
	for _, tc := range []struct {
		name    string
		h       hostMemory
		wantMiB int
		bytes   int64
		why     string
	}{
		{"madvise: half the memory", hostMemory{madvise, "0", 24 * gib}, -1, 12 * gib, "madvise"},
		{"madvise: as asked, whole huge pages", hostMemory{madvise, "1", 24 * gib}, 101, 100 << 20, "madvise"},
		{"half rounded down to huge pages", hostMemory{madvise, "0", 10<<20 + 4096}, -1, 4 << 20, "madvise"},
		{"turned off by the flag", hostMemory{madvise, "0", 24 * gib}, 0, 0, "is 0"},
		{"always needs nothing", hostMemory{always, "0", 24 * gib}, -1, 0, "without asking"},
		{"never allows nothing", hostMemory{never, "0", 24 * gib}, -1, 0, `"never"`},
		{"no THP support", hostMemory{"", "0", 24 * gib}, -1, 0, `""`},
		{"strict overcommit", hostMemory{madvise, "2", 24 * gib}, -1, 0, "strict overcommit"},
		{"memory unknown", hostMemory{madvise, "0", 0}, -1, 0, "unknown"},
		{"less than a huge page", hostMemory{madvise, "0", 24 * gib}, 1, 0, "less than one huge page"},
	} {
		bytes, why := heapHugePagesPlan(tc.h, tc.wantMiB)
		if bytes != tc.bytes || !strings.Contains(why, tc.why) {
			t.Errorf("%s: plan = %d, %q; want %d, a reason with %q", tc.name, bytes, why, tc.bytes, tc.why)
		}
	}
}

func TestReadHostMemory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	h := readHostMemory(write("enabled", "always [madvise] never\n"), write("overcommit", "2\n"),
		write("meminfo", "MemTotal:       24576000 kB\nMemFree:        1000 kB\n"))
	want := hostMemory{"always [madvise] never\n", "2", 24576000 << 10}
	if h != want {
		t.Errorf("read %+v, want %+v", h, want)
	}
	missing := filepath.Join(dir, "missing")
	if h := readHostMemory(missing, missing, missing); h != (hostMemory{}) {
		t.Errorf("missing files read as %+v", h)
	}
}

func TestHugePageInterior(t *testing.T) {
	b := make([]byte, 5*hugePageSize)
	start := uintptr(unsafe.Pointer(&b[0]))
	for _, off := range []int{0, 1, hugePageSize - 1, hugePageSize + 12345} {
		in := hugePageInterior(b[off:])
		if len(in) == 0 {
			t.Fatalf("offset %d: no interior in %d bytes", off, len(b)-off)
		}
		begin := uintptr(unsafe.Pointer(&in[0]))
		end := begin + uintptr(len(in))
		if begin%hugePageSize != 0 || end%hugePageSize != 0 {
			t.Errorf("offset %d: interior [%#x, %#x) not aligned", off, begin, end)
		}
		if begin < start+uintptr(off) || end > start+uintptr(len(b)) || begin-(start+uintptr(off)) >= hugePageSize ||
			start+uintptr(len(b))-end >= hugePageSize {
			t.Errorf("offset %d: interior [%#x, %#x) not the largest inside [%#x, %#x)", off, begin, end, start+uintptr(off), start+uintptr(len(b)))
		}
	}
	if in := hugePageInterior(b[1:hugePageSize]); in != nil {
		t.Errorf("less than a huge page has an interior of %d bytes", len(in))
	}
}

// TestHeapGrowsIntoAdvisedMemory checks the mechanism end to end: after
// adviseHeapHugePages, a large allocation (which needs fresh heap) lands in
// memory the kernel marks for huge pages ("hg" in the mapping's VmFlags).
//
// It runs in a child process: in this one the tests before it leave free
// holes in the heap, and the allocator fills those first (lowest address
// first), as it should, so where a new allocation lands would depend on
// them.
func TestHeapGrowsIntoAdvisedMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		if err := adviseHugePages(make([]byte, 4*hugePageSize)); err == nil {
			t.Fatal("advising huge pages succeeded off Linux")
		}
		return
	}
	if os.Getenv("RECO_TEST_FRESH_HEAP") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHeapGrowsIntoAdvisedMemory$", "-test.v")
		cmd.Env = append(os.Environ(), "RECO_TEST_FRESH_HEAP=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestHeapGrowsIntoAdvisedMemory") {
			t.Fatalf("in a fresh process: %v\n%s", err, out)
		}
		return
	}
	var logged bytes.Buffer
	h := hostMemory{thpEnabled: "always [madvise] never\n", overcommit: "0"}
	if got := adviseHeapHugePages(slog.New(slog.NewTextHandler(&logged, nil)), h, 256); got != 256<<20 {
		t.Fatalf("advised %d bytes, want %d; log: %s", got, 256<<20, logged.String())
	}
	// The block costs no memory: the runtime holds it as released.
	released := []metrics.Sample{{Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(released)
	if got := released[0].Value.Uint64(); got < 200<<20 {
		t.Errorf("the heap holds %d bytes released after advising 256 MiB, want them all", got)
	}
	// The advised block began wherever the heap had room, and only its
	// whole huge pages are advised: look at those of the new allocation.
	b := hugePageInterior(make([]byte, 32<<20))
	for _, addr := range []uintptr{uintptr(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&b[len(b)-1]))} {
		flags, err := vmFlags(addr)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(" "+flags+" ", " hg ") {
			t.Errorf("the mapping holding %#x of a fresh 32 MiB allocation has VmFlags %q, without hg", addr, flags)
		}
	}
	runtime.KeepAlive(b)
}

// vmFlags returns the VmFlags line of the mapping in /proc/self/smaps that
// holds addr.
func vmFlags(addr uintptr) (string, error) {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	inside := false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(f[0], "-"); ok && !strings.HasSuffix(f[0], ":") {
			l, err1 := strconv.ParseUint(lo, 16, 64)
			h, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				inside = uint64(addr) >= l && uint64(addr) < h
				continue
			}
		}
		if inside && f[0] == "VmFlags:" {
			return strings.Join(f[1:], " "), nil
		}
	}
	return "", os.ErrNotExist
}
