package engine

import (
	"math/rand/v2"
	"testing"
)

func TestDedupForgetsOnlyWhatLeftTheWindow(t *testing.T) {
	d := newDedup(3)
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"a", false}, {"b", false}, {"a", true}, {"c", false},
		{"d", false}, // a leaves the window
		{"b", true}, {"a", false}, // b leaves
		{"c", true}, {"b", false}, // c leaves
		{"c", false}, {"c", true},
	} {
		if got := d.add(tc.id); got != tc.want {
			t.Fatalf("add(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

// TestDedupMatchesAMap checks the open-addressing set against a Go map
// holding the same window, with hashes chosen to collide in the table
// (few distinct low bits), so that probe runs, wrap-around and backward
// shift deletion are all exercised.
func TestDedupMatchesAMap(t *testing.T) {
	for _, window := range []int{1, 5, 64, 1000} {
		d := newDedup(window)
		ref := map[uint64]int{} // hash → times in the window
		var ring []uint64
		rng := rand.New(rand.NewPCG(uint64(window), 7))
		for step := 0; step < 50_000; step++ {
			// Few distinct values, clustered low bits and the top of the table.
			h := uint64(rng.IntN(3*window+3))<<3 | d.mask - uint64(rng.IntN(4))
			if h == 0 {
				h = 1
			}
			_, want := ref[h]
			if got := d.addHash(h); got != want {
				t.Fatalf("window %d step %d: addHash(%#x) = %v, want %v", window, step, h, got, want)
			}
			if want {
				continue
			}
			ref[h]++
			ring = append(ring, h)
			if len(ring) > window {
				old := ring[0]
				ring = ring[1:]
				if ref[old]--; ref[old] == 0 {
					delete(ref, old)
				}
			}
		}
		if got := len(d.export()); got != len(ring) {
			t.Fatalf("window %d: export holds %d hashes, want %d", window, got, len(ring))
		}
	}
}
