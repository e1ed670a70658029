package engine

import "reco/features"

// dedup remembers the last n event ids so that an event Kafka delivers
// twice (at-least-once) is applied once. The window is bounded: an id seen
// more than n events ago is forgotten.
//
// It keeps 64-bit hashes of the ids, not the ids: a third of the memory
// and no string hashing or comparing on the ingest path. Two different ids
// collide with probability about n/2^64 per event (5·10^-14 at the default
// million), the price of dropping one event as a false duplicate.
//
// The hashes live in a features.HashTable rather than a Go map: one cache
// miss per lookup, with a million ids out of cache on every event.
type dedup struct {
	seen *features.HashTable[features.Hash64, struct{}]
	ring []uint64 // the window in arrival order; 0 = empty slot
	next int
}

func newDedup(n int) *dedup {
	if n < 1 {
		n = 1
	}
	return &dedup{seen: features.NewHashTable[features.Hash64, struct{}](n), ring: make([]uint64, n)}
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

// prefetch prefetches the table slots that addHash(h) will read, as the
// i-th of the next adds: its own and the one of the id it will push out
// of the window (see HashTable.Prefetch).
func (d *dedup) prefetch(h uint64, i int) {
	d.seen.Prefetch(features.Hash64(h))
	if old := d.ring[(d.next+i)%len(d.ring)]; old != 0 {
		d.seen.Prefetch(features.Hash64(old))
	}
}

// addHash records the id hashing to h (idHash) and reports whether it was
// already in the window.
func (d *dedup) addHash(h uint64) (duplicate bool) {
	if !d.seen.Put(features.Hash64(h), struct{}{}) {
		return true
	}
	if old := d.ring[d.next]; old != 0 {
		d.seen.Delete(features.Hash64(old))
	}
	d.ring[d.next] = h
	d.next++
	if d.next == len(d.ring) {
		d.next = 0
	}
	return false
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
