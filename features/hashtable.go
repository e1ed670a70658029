package features

import (
	"hash/maphash"
	"unsafe"
)

// HashKey is a key of a HashTable: a hash, never zero (zero marks an empty
// slot), whose low bits pick the home slot.
type HashKey interface {
	comparable
	home() uint64
}

// Hash64 is a 64-bit HashKey.
type Hash64 uint64

func (h Hash64) home() uint64 { return uint64(h) }

// Hash128 is a 128-bit HashKey: two independent 64-bit hashes of the same
// string. Tables keyed by it keep no string and never compare one: two
// different strings share a key with probability about n²/2^129 (10^-26
// for a billion names), far below any hardware error rate.
type Hash128 struct{ Lo, Hi uint64 }

func (h Hash128) home() uint64 { return h.Lo }

// StringHasher hashes strings to Hash128 keys with seeds of its own, so
// keys are only comparable within one process: tables keyed by them are
// rebuilt from the strings, never persisted.
type StringHasher struct{ lo, hi maphash.Seed }

// NewStringHasher returns a hasher with fresh random seeds.
func NewStringHasher() StringHasher {
	return StringHasher{lo: maphash.MakeSeed(), hi: maphash.MakeSeed()}
}

// Hash returns the key of s, never zero.
func (h StringHasher) Hash(s string) Hash128 {
	k := Hash128{maphash.String(h.lo, s), maphash.String(h.hi, s)}
	if k == (Hash128{}) {
		k.Lo = 1
	}
	return k
}

// HashTable maps hash keys to values with open addressing: linear probing
// in one flat slice, at most three quarters full, deletion by backward
// shift. On the ingest path it replaces Go maps keyed by strings (three
// dependent cache misses per lookup: control word, slot, key bytes) with
// one miss, which is what a lookup costs once the state outgrows the cache.
type HashTable[K HashKey, V any] struct {
	slots []hashSlot[K, V]
	mask  uint64
	n     int
}

// The value comes first: Go pads a struct whose last field has size zero,
// so a set's slot (V struct{}) would take 16 bytes for an 8-byte key — the
// engine's dedup window of a million ids 16 MB more than it needs.
type hashSlot[K HashKey, V any] struct {
	val V
	key K
}

// NewHashTable returns a table sized for n entries without growing.
func NewHashTable[K HashKey, V any](n int) *HashTable[K, V] {
	size := 8
	for size*3 < n*4 {
		size *= 2
	}
	return &HashTable[K, V]{slots: make([]hashSlot[K, V], size), mask: uint64(size - 1)}
}

// Len returns the number of entries.
func (t *HashTable[K, V]) Len() int { return t.n }

// Get returns the value of k and whether k is present.
func (t *HashTable[K, V]) Get(k K) (V, bool) {
	var zero K
	for i := k.home() & t.mask; ; i = (i + 1) & t.mask {
		switch t.slots[i].key {
		case k:
			return t.slots[i].val, true
		case zero:
			var v V
			return v, false
		}
	}
}

// Prefetch prefetches k's home slot: a caller about to look up many keys
// prefetches them all first, so that their cache misses overlap instead
// of coming one after another (see Prefetch).
func (t *HashTable[K, V]) Prefetch(k K) {
	s := &t.slots[k.home()&t.mask]
	prefetchRange(unsafe.Pointer(s), unsafe.Sizeof(*s))
}

// Put sets the value of k and reports whether k was new.
func (t *HashTable[K, V]) Put(k K, v V) (isNew bool) {
	var zero K
	if k == zero {
		panic("features: HashTable key is zero")
	}
	for i := k.home() & t.mask; ; i = (i + 1) & t.mask {
		switch t.slots[i].key {
		case k:
			t.slots[i].val = v
			return false
		case zero:
			t.slots[i] = hashSlot[K, V]{key: k, val: v}
			if t.n++; t.n*4 > len(t.slots)*3 {
				t.grow()
			}
			return true
		}
	}
}

// Delete removes k, shifting later entries of its probe run back so that
// lookups never stop early at the hole.
func (t *HashTable[K, V]) Delete(k K) {
	var zero K
	i := k.home() & t.mask
	for t.slots[i].key != k {
		if t.slots[i].key == zero {
			return
		}
		i = (i + 1) & t.mask
	}
	for j := (i + 1) & t.mask; t.slots[j].key != zero; j = (j + 1) & t.mask {
		// The entry at j may fill the hole at i only if its home slot is
		// not in the cyclic range (i, j].
		if home := t.slots[j].key.home() & t.mask; (j-home)&t.mask >= (j-i)&t.mask {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = hashSlot[K, V]{}
	t.n--
}

func (t *HashTable[K, V]) grow() {
	old := t.slots
	t.slots = make([]hashSlot[K, V], 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	var zero K
	for _, s := range old {
		if s.key == zero {
			continue
		}
		i := s.key.home() & t.mask
		for t.slots[i].key != zero {
			i = (i + 1) & t.mask
		}
		t.slots[i] = s
	}
}
