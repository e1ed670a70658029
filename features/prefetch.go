package features

import "unsafe"

// Prefetching is how applying a batch of events waits for memory once
// instead of once per event. The users, items, name-index slots and
// co-occurrence rows a batch touches are scattered over hundreds of MB, so
// nearly every first read of one is a cache miss (~200–500 ns here). A
// caller prefetches everything the batch will read first, in waves (the
// next wave's addresses are in what the one before brought in), and the
// misses of a wave are in flight together.
//
// Go has no prefetch outside its runtime, so Prefetch is one instruction
// of assembly. Until session 25 the warm pass read each thing instead and
// kept the result (`x == 0 != sink`): a load that misses cannot retire, so
// the CPU stopped issuing new work once its reorder buffer filled, a
// message or two later, and the reads of a batch overlapped far less than
// they could (docs/performance.md, Freshness, Session 25).

// cacheLine is the x86-64 and arm64 cache line: the unit a CPU reads from
// memory.
const cacheLine = 64

// prefetchRange prefetches every cache line holding some of the n bytes at
// p (n ≥ 1): one every 64 bytes from p, and the last byte's line if it is
// another, so no line is skipped however the bytes are aligned and none
// is asked for twice (an 8-byte slot is one prefetch, not two).
func prefetchRange(p unsafe.Pointer, n uintptr) {
	off := uintptr(0)
	for ; off+cacheLine < n; off += cacheLine {
		Prefetch(unsafe.Add(p, off))
	}
	Prefetch(unsafe.Add(p, off))
	if (uintptr(p)+off)/cacheLine != (uintptr(p)+n-1)/cacheLine {
		Prefetch(unsafe.Add(p, n-1))
	}
}
