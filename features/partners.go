package features

// partners is one co-occurrence row: an open-addressing hash map from item
// to weight. It replaces map[ItemID]float32 on the hottest ingest path
// (every event updates up to 2 × CoOccurrenceWindow rows): linear probing
// over two flat slices is several times faster than a Go map and holds
// 8 bytes per slot instead of a map's ~20 per entry.
type partners struct {
	keys  []uint32 // item+1; 0 marks an empty slot
	vals  []float32
	n     int32
	shift uint8 // 32 - log2(len(keys))
}

func (p *partners) slot(k uint32) uint32 {
	// Fibonacci hashing spreads consecutive ids across the table.
	return (k * 2654435769) >> p.shift
}

// add adds v to the weight of item k.
func (p *partners) add(k ItemID, v float32) {
	if len(p.keys) == 0 || int(p.n+1)*4 > len(p.keys)*3 {
		p.grow()
	}
	key := k + 1
	mask := uint32(len(p.keys) - 1)
	for i := p.slot(key); ; i = (i + 1) & mask {
		switch p.keys[i] {
		case key:
			p.vals[i] += v
			return
		case 0:
			p.keys[i], p.vals[i] = key, v
			p.n++
			return
		}
	}
}

// find returns the slot of item k and whether it is present.
func (p *partners) find(k ItemID) (uint32, bool) {
	if p.n == 0 {
		return 0, false
	}
	key := k + 1
	mask := uint32(len(p.keys) - 1)
	for i := p.slot(key); ; i = (i + 1) & mask {
		switch p.keys[i] {
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
		return p.vals[i]
	}
	return 0
}

func (p *partners) grow() {
	size := 8
	if len(p.keys) > 0 {
		size = len(p.keys) * 2
	}
	p.rebuild(size, func(uint32, float32) bool { return true })
}

// rebuild rehashes into size slots, keeping the entries keep accepts.
func (p *partners) rebuild(size int, keep func(k uint32, v float32) bool) {
	oldK, oldV := p.keys, p.vals
	p.keys, p.vals, p.n = make([]uint32, size), make([]float32, size), 0
	p.shift = 32
	for s := size; s > 1; s >>= 1 {
		p.shift--
	}
	mask := uint32(size - 1)
	for j, key := range oldK {
		if key == 0 || !keep(key-1, oldV[j]) {
			continue
		}
		i := p.slot(key)
		for p.keys[i] != 0 {
			i = (i + 1) & mask
		}
		p.keys[i], p.vals[i] = key, oldV[j]
		p.n++
	}
}

// each calls fn for every entry.
func (p *partners) each(fn func(k ItemID, v float32)) {
	for i, key := range p.keys {
		if key != 0 {
			fn(key-1, p.vals[i])
		}
	}
}

// scale multiplies every weight by f.
func (p *partners) scale(f float32) {
	for i := range p.vals {
		p.vals[i] *= f
	}
}

// remove deletes item k (rebuilding: removals are rare).
func (p *partners) remove(k ItemID) {
	if _, ok := p.find(k); !ok {
		return
	}
	p.rebuild(max(8, len(p.keys)), func(x uint32, _ float32) bool { return x != k })
}
