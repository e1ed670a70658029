package features

import "unsafe"

// partners is one co-occurrence row: an open-addressing hash map from item
// to weight. It replaces map[ItemID]float32 on the hottest ingest path
// (every event updates up to 2 × CoOccurrenceWindow rows): linear probing
// over one flat slice is several times faster than a Go map and holds 8
// bytes per slot instead of a map's ~20 per entry. Key and weight share a
// slot so that an update costs one cache miss, not two (the rows of a
// large catalog are never all in cache).
//
// It is HashTable's technique specialised: on top of the generic table
// (whose hash is a method called through the instantiation's dictionary)
// the pair updates of BenchmarkApplyRate ran 16–50 % slower.
type partners struct {
	slots []partnerSlot
	n     int32
	// bound is at least every weight in the row: the largest weight ever
	// added, scaled with the row. Removing an entry leaves it as it was,
	// which keeps it a bound (only less tight). It lets a reader skip rows
	// that cannot beat what it already found (CoOccurrence.PairBound).
	bound float32
	shift uint8 // 32 - log2(len(slots))
}

type partnerSlot struct {
	key uint32 // item+1; 0 marks an empty slot
	val float32
}

func (p *partners) slot(k uint32) uint32 {
	// Fibonacci hashing spreads consecutive ids across the table.
	return (k * 2654435769) >> p.shift
}

// add adds v to the weight of item k, taking a larger array from pool
// (which may be nil) when the row is full.
func (p *partners) add(k ItemID, v float32, pool *slotPool) {
	if len(p.slots) == 0 || int(p.n+1)*4 > len(p.slots)*3 {
		p.grow(pool)
	}
	key := k + 1
	mask := uint32(len(p.slots) - 1)
	for i := p.slot(key); ; i = (i + 1) & mask {
		s := &p.slots[i]
		switch s.key {
		case key:
			s.val += v
		case 0:
			s.key, s.val = key, v
			p.n++
		default:
			continue
		}
		p.bound = max(p.bound, s.val)
		return
	}
}

// prefetch prefetches item k's home slot (see CoOccurrence.PrefetchRow).
func (p *partners) prefetch(k ItemID) {
	if len(p.slots) > 0 {
		Prefetch(unsafe.Pointer(&p.slots[p.slot(k+1)]))
	}
}

// find returns the slot of item k and whether it is present.
func (p *partners) find(k ItemID) (uint32, bool) {
	if p.n == 0 {
		return 0, false
	}
	key := k + 1
	mask := uint32(len(p.slots) - 1)
	for i := p.slot(key); ; i = (i + 1) & mask {
		switch p.slots[i].key {
		case key:
			return i, true
		case 0:
			return 0, false
		}
	}
}

// get returns the weight of item k (0 if absent).
func (p *partners) get(k ItemID) float32 {
	if i, ok := p.find(k); ok {
		return p.slots[i].val
	}
	return 0
}

// slotsFor returns the fewest slots that hold n entries: a power of two,
// at least 8, kept at most three quarters full (add's bound).
func slotsFor(n int) int {
	size := 8
	for n*4 > size*3 {
		size *= 2
	}
	return size
}

func (p *partners) grow(pool *slotPool) {
	size := 8
	if len(p.slots) > 0 {
		size = len(p.slots) * 2
	}
	p.rebuild(size, func(uint32, float32) bool { return true }, pool)
}

// rebuild rehashes into size slots, keeping the entries keep accepts. The
// new array comes from pool, and the old one goes back to it (pool may be
// nil).
func (p *partners) rebuild(size int, keep func(k uint32, v float32) bool, pool *slotPool) {
	old := p.slots
	p.slots, p.n = pool.get(size), 0
	p.shift = 32
	for s := size; s > 1; s >>= 1 {
		p.shift--
	}
	p.reinsert(old, keep)
	if old != nil {
		pool.put(old)
	}
}

// filterInPlace keeps the entries keep accepts, in the same slots array:
// the old entries are copied to buf (returned for reuse) first. Pruning a
// popular item's full row happens again and again on a busy shop; a new
// array each time was a third of the bytes the ingest path allocated.
func (p *partners) filterInPlace(buf []partnerSlot, keep func(k uint32, v float32) bool) []partnerSlot {
	buf = append(buf[:0], p.slots...)
	clear(p.slots)
	p.n = 0
	p.reinsert(buf, keep)
	return buf
}

// reinsert inserts the entries of old that keep accepts.
func (p *partners) reinsert(old []partnerSlot, keep func(k uint32, v float32) bool) {
	mask := uint32(len(p.slots) - 1)
	for _, o := range old {
		if o.key == 0 || !keep(o.key-1, o.val) {
			continue
		}
		i := p.slot(o.key)
		for p.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		p.slots[i] = o
		p.n++
	}
}

// each calls fn for every entry.
func (p *partners) each(fn func(k ItemID, v float32)) {
	for _, s := range p.slots {
		if s.key != 0 {
			fn(s.key-1, s.val)
		}
	}
}

// scale multiplies every weight by f.
func (p *partners) scale(f float32) {
	for i := range p.slots {
		p.slots[i].val *= f
	}
	p.bound *= f
}

// remove deletes item k (rebuilding: removals are rare).
func (p *partners) remove(k ItemID, pool *slotPool) {
	if _, ok := p.find(k); !ok {
		return
	}
	p.rebuild(max(8, len(p.slots)), func(x uint32, _ float32) bool { return x != k }, pool)
}
