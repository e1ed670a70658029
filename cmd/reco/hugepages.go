package main

import (
	"bufio"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"unsafe"
)

// Where Linux shows the settings that decide whether the Go heap can get
// transparent huge pages.
const (
	thpEnabledFile = "/sys/kernel/mm/transparent_hugepage/enabled"
	overcommitFile = "/proc/sys/vm/overcommit_memory"
	meminfoFile    = "/proc/meminfo"
)

// hugePageSize is the x86-64 and arm64 (4 KiB base pages) transparent huge
// page: madvise only ever covers whole, aligned ones.
const hugePageSize = 2 << 20

// heapHugePagesFlag registers --heap-huge-pages-mb on fs. serve, bench and
// loadgen share it, so that a benchmark's engine runs on the memory a
// production one would.
func heapHugePagesFlag(fs *flag.FlagSet) *int {
	return fs.Int("heap-huge-pages-mb", -1, "MiB of the Go heap's growth backed by transparent huge pages when the machine's mode is madvise (-1: half the machine's memory; 0: none; see README)")
}

// thpMode returns the mode a transparent_hugepage/enabled file selects:
// the word in brackets ("always [madvise] never" → "madvise"), or "" if
// none is.
func thpMode(content string) string {
	for _, w := range strings.Fields(content) {
		if len(w) > 2 && w[0] == '[' && w[len(w)-1] == ']' {
			return w[1 : len(w)-1]
		}
	}
	return ""
}

// hostMemory is what heapHugePagesPlan decides from: the contents of
// thpEnabledFile and overcommitFile ("" when missing) and MemTotal.
type hostMemory struct {
	thpEnabled string
	overcommit string
	memTotal   int64 // bytes; 0 when unknown
}

// thisHost reads this machine's settings from where Linux shows them.
func thisHost() hostMemory { return readHostMemory(thpEnabledFile, overcommitFile, meminfoFile) }

func readHostMemory(enabledPath, overcommitPath, meminfoPath string) hostMemory {
	var h hostMemory
	if b, err := os.ReadFile(enabledPath); err == nil {
		h.thpEnabled = string(b)
	}
	if b, err := os.ReadFile(overcommitPath); err == nil {
		h.overcommit = strings.TrimSpace(string(b))
	}
	if f, err := os.Open(meminfoPath); err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			// "MemTotal:       24576000 kB"
			if fields := strings.Fields(s.Text()); len(fields) == 3 && fields[0] == "MemTotal:" && fields[2] == "kB" {
				if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
					h.memTotal = kb << 10
				}
				break
			}
		}
	}
	return h
}

// heapHugePagesPlan decides how many bytes of the heap's growth to advise
// (0: none) and says why, for the log.
//
// Go's runtime stopped asking for huge pages for its heap in Go 1.21.1, so
// the heap gets them only when the machine's mode is "always". Under
// "madvise" (the default of Debian, Ubuntu and many VM images) every 4 KiB
// the state grows into costs a page fault: ~11 µs each on the benchmark VM,
// and the engine's ingest took 47 k of them per 500 k events against 4–9 k
// with huge pages (docs/performance.md, Ingest, session 20). The plan asks
// for half the machine's memory by default: a heap larger than that is
// near running out anyway, and the memory benchmark's million users (2.4
// GiB of heap) fit even on an 8 GiB machine. The kernel's default
// (heuristic) overcommit never refuses a reservation below the machine's
// memory, and it costs the runtime ~1 MiB of metadata per GiB. Under
// strict overcommit (mode 2) it would be charged in full, so none is made.
func heapHugePagesPlan(h hostMemory, wantMiB int) (bytes int64, why string) {
	switch mode := thpMode(h.thpEnabled); {
	case wantMiB == 0:
		return 0, "--heap-huge-pages-mb is 0"
	case mode == "always":
		return 0, "the machine's mode is always: the heap gets them without asking"
	case mode != "madvise":
		return 0, fmt.Sprintf("the machine's mode is %q: only madvise lets a process ask (set always or madvise for faster ingest; README)", mode)
	case h.overcommit == "2":
		return 0, "strict overcommit (vm.overcommit_memory = 2) would charge the whole reservation"
	case strconv.IntSize == 32:
		return 0, "a 32-bit address space has no room to spare for the block"
	}
	bytes = int64(wantMiB) << 20
	if wantMiB < 0 {
		if h.memTotal <= 0 {
			return 0, "the machine's memory is unknown (" + meminfoFile + ")"
		}
		bytes = h.memTotal / 2
	}
	bytes &^= hugePageSize - 1
	if bytes < hugePageSize {
		return 0, "less than one huge page asked for"
	}
	return bytes, "the machine's mode is madvise"
}

// adviseHeapHugePages asks Linux to back the next bytes the Go heap grows
// into with transparent huge pages (MADV_HUGEPAGE).
//
// A process cannot ask that for its heap as a whole, only for address
// ranges, and the runtime maps the heap's ranges itself. So it allocates
// one block of the planned size (fresh address space, never touched, so
// it costs no memory), advises it, and gives it back with
// debug.FreeOSMemory. The advice stays on the range, and Go's allocator
// fills free memory lowest address first: the heap grows into the
// advised range, and every first touch there faults in 2 MiB instead of
// 4 KiB. Growth beyond the range gets small pages as before. It returns the
// bytes advised.
func adviseHeapHugePages(logger *slog.Logger, h hostMemory, wantMiB int) int64 {
	bytes, why := heapHugePagesPlan(h, wantMiB)
	if bytes == 0 {
		logger.Info("the Go heap gets no transparent huge pages from reco", "why", why)
		return 0
	}
	err := adviseHugePages(make([]byte, bytes)) // unreachable once advised
	debug.FreeOSMemory()
	if err != nil {
		logger.Warn("asking for transparent huge pages for the Go heap failed; it grows in 4 KiB pages", "asked_mib", bytes>>20, "err", err)
		return 0
	}
	logger.Info("the Go heap grows into transparent huge pages", "advised_mib", bytes>>20, "why", why)
	return bytes
}

// hugePageInterior returns the part of b that whole, aligned huge pages
// cover: what MADV_HUGEPAGE can act on.
func hugePageInterior(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	begin := (start + hugePageSize - 1) &^ (hugePageSize - 1)
	end := (start + uintptr(len(b))) &^ (hugePageSize - 1)
	if end <= begin {
		return nil
	}
	return b[begin-start : end-start]
}
