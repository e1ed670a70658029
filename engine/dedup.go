package engine

// dedup remembers the last n event ids so that an event Kafka delivers
// twice (at-least-once) is applied once. The window is bounded: an id seen
// more than n events ago is forgotten.
//
// It keeps 64-bit hashes of the ids, not the ids: a third of the memory
// and no string hashing or comparing on the ingest path. Two different ids
// collide with probability about n/2^64 per event (5·10^-14 at the default
// million), the price of dropping one event as a false duplicate.
//
// The hashes live in an open-addressing set (linear probing, at most half
// full, deletion by backward shift) rather than a Go map: one cache miss
// per lookup instead of two or three, at a million ids out of cache on
// every event.
type dedup struct {
	table []uint64 // 0 = empty slot
	mask  uint64
	ring  []uint64 // the window in arrival order; 0 = empty slot
	next  int
}

func newDedup(n int) *dedup {
	if n < 1 {
		n = 1
	}
	size := 8
	for size < 2*n {
		size *= 2
	}
	return &dedup{table: make([]uint64, size), mask: uint64(size - 1), ring: make([]uint64, n)}
}

// idHash is FNV-1a with a final mix, never 0 (0 marks an empty slot).
func idHash(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	h = fmix64(h)
	if h == 0 {
		h = 1
	}
	return h
}

// add records id and reports whether it was already in the window.
func (d *dedup) add(id string) (duplicate bool) {
	return d.addHash(idHash(id))
}

func (d *dedup) addHash(h uint64) (duplicate bool) {
	i := h & d.mask
	for ; d.table[i] != 0; i = (i + 1) & d.mask {
		if d.table[i] == h {
			return true
		}
	}
	d.table[i] = h
	if old := d.ring[d.next]; old != 0 {
		d.remove(old)
	}
	d.ring[d.next] = h
	d.next++
	if d.next == len(d.ring) {
		d.next = 0
	}
	return false
}

// remove deletes h from the table, shifting later entries of its probe
// run back so that lookups never stop early at the hole.
func (d *dedup) remove(h uint64) {
	i := h & d.mask
	for d.table[i] != h {
		if d.table[i] == 0 {
			return
		}
		i = (i + 1) & d.mask
	}
	for j := (i + 1) & d.mask; d.table[j] != 0; j = (j + 1) & d.mask {
		// The entry at j may move to the hole at i only if its home slot
		// is not in the cyclic range (i, j].
		if home := d.table[j] & d.mask; (j-home)&d.mask >= (j-i)&d.mask {
			d.table[i] = d.table[j]
			i = j
		}
	}
	d.table[i] = 0
}

// export returns the remembered hashes, oldest first.
func (d *dedup) export() []uint64 {
	out := make([]uint64, 0, len(d.ring))
	for i := 0; i < len(d.ring); i++ {
		if h := d.ring[(d.next+i)%len(d.ring)]; h != 0 {
			out = append(out, h)
		}
	}
	return out
}
