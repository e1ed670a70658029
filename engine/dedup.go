package engine

// dedup remembers the last n event ids so that an event Kafka delivers
// twice (at-least-once) is applied once. The window is bounded: an id seen
// more than n events ago is forgotten.
//
// It keeps 64-bit hashes of the ids, not the ids: a third of the memory
// and no string hashing or comparing on the ingest path. Two different ids
// collide with probability about n/2^64 per event (5·10^-14 at the default
// million), the price of dropping one event as a false duplicate.
type dedup struct {
	seen map[uint64]struct{}
	ring []uint64 // 0 = empty slot
	next int
}

func newDedup(n int) *dedup {
	if n < 1 {
		n = 1
	}
	return &dedup{seen: make(map[uint64]struct{}, n), ring: make([]uint64, n)}
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
	if _, ok := d.seen[h]; ok {
		return true
	}
	if old := d.ring[d.next]; old != 0 {
		delete(d.seen, old)
	}
	d.ring[d.next] = h
	d.seen[h] = struct{}{}
	d.next++
	if d.next == len(d.ring) {
		d.next = 0
	}
	return false
}

// export returns the remembered hashes, oldest first.
func (d *dedup) export() []uint64 {
	out := make([]uint64, 0, len(d.seen))
	for i := 0; i < len(d.ring); i++ {
		if h := d.ring[(d.next+i)%len(d.ring)]; h != 0 {
			out = append(out, h)
		}
	}
	return out
}
