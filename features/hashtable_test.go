package features

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"unsafe"
)

// TestHashTableMatchesAMap runs random puts, gets and deletes against a Go
// map, with keys chosen to collide (few distinct low bits, homes at the
// top of the table) so that probe runs, wrap-around, growth and backward
// shift deletion are all exercised.
func TestHashTableMatchesAMap(t *testing.T) {
	for _, size := range []int{1, 5, 64, 1000} {
		tab := NewHashTable[Hash64, int](size)
		ref := map[Hash64]int{}
		rng := rand.New(rand.NewPCG(uint64(size), 7))
		for step := 0; step < 50_000; step++ {
			k := Hash64(uint64(rng.IntN(3*size+3))<<20 | 0xfff - uint64(rng.IntN(4)))
			switch rng.IntN(3) {
			case 0:
				_, had := ref[k]
				if isNew := tab.Put(k, step); isNew == had {
					t.Fatalf("size %d step %d: Put(%#x) new = %v, want %v", size, step, k, isNew, !had)
				}
				ref[k] = step
			case 1:
				tab.Delete(k)
				delete(ref, k)
			}
			want, wantOK := ref[k]
			if got, ok := tab.Get(k); ok != wantOK || got != want {
				t.Fatalf("size %d step %d: Get(%#x) = %d, %v, want %d, %v", size, step, k, got, ok, want, wantOK)
			}
			if tab.Len() != len(ref) {
				t.Fatalf("size %d step %d: Len = %d, want %d", size, step, tab.Len(), len(ref))
			}
		}
		for k, want := range ref {
			if got, ok := tab.Get(k); !ok || got != want {
				t.Fatalf("size %d: at the end Get(%#x) = %d, %v, want %d", size, k, got, ok, want)
			}
		}
	}
}

func TestStringHasherSeparatesNames(t *testing.T) {
	h := NewStringHasher()
	seen := map[Hash128]string{}
	for i := 0; i < 100_000; i++ {
		name := "u" + strconv.Itoa(i)
		k := h.Hash(name)
		if k == (Hash128{}) {
			t.Fatalf("Hash(%q) is zero", name)
		}
		if other, ok := seen[k]; ok && other != name {
			t.Fatalf("Hash(%q) == Hash(%q)", name, other)
		}
		seen[k] = name
		if h.Hash(name) != k {
			t.Fatalf("Hash(%q) is not stable", name)
		}
	}
}

// A set's slot is its key alone: the dedup window's table of a million ids
// is 16 MB, not 32.
func TestHashTableSetSlotIsTheKey(t *testing.T) {
	if got := unsafe.Sizeof(hashSlot[Hash64, struct{}]{}); got != 8 {
		t.Errorf("slot of a HashTable[Hash64, struct{}] takes %d bytes, want 8", got)
	}
}
