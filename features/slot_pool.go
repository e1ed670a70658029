package features

import "math/bits"

// slotPool keeps the slot arrays that co-occurrence rows grew out of, for
// the next rows growing into that size. A row doubles its array as it
// fills (8 slots to 1,024 at the default bound): on a shop's stream,
// thousands of rows grow at once, and each new array was memory the Go
// heap had to find — often pages the runtime had given back to the OS,
// each 4 KiB a page fault (~11 µs on the benchmark VM) — written in full
// while the old one became garbage. An array a row just left was read
// whole a moment ago: handed to the next row of that size, it is still
// mapped and likely still in cache.
//
// Only a few arrays of each size are kept: while rows fill, one grows
// into a size about as often as another grows out of it, and once they
// stop growing the pool holds at most slotPoolDepth arrays a size.
type slotPool struct {
	free [slotPoolClasses][][]partnerSlot
}

const (
	slotPoolClasses = 24 // sizes 8 << 0 … 8 << 23 slots
	slotPoolDepth   = 16
)

// slotClass returns the class of an array of size slots (a power of two,
// at least 8), or -1 when the pool keeps no such size.
func slotClass(size int) int {
	c := bits.TrailingZeros(uint(size)) - 3
	if size < 8 || size&(size-1) != 0 || c >= slotPoolClasses {
		return -1
	}
	return c
}

// get returns an empty array of size slots: one kept, cleared, or a new
// one. A nil pool always allocates.
func (sp *slotPool) get(size int) []partnerSlot {
	if sp != nil {
		if c := slotClass(size); c >= 0 {
			if n := len(sp.free[c]); n > 0 {
				s := sp.free[c][n-1]
				sp.free[c][n-1] = nil
				sp.free[c] = sp.free[c][:n-1]
				clear(s)
				return s
			}
		}
	}
	return make([]partnerSlot, size)
}

// put keeps s for a later get of its size, unless enough of that size are
// kept already. The caller must not use s afterwards.
func (sp *slotPool) put(s []partnerSlot) {
	if sp == nil {
		return
	}
	if c := slotClass(len(s)); c >= 0 && len(sp.free[c]) < slotPoolDepth {
		sp.free[c] = append(sp.free[c], s)
	}
}
