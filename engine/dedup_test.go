package engine

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

func TestDedupForgetsOnlyWhatLeftTheWindow(t *testing.T) {
	d := newDedup(3)
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"a", false}, {"b", false}, {"a", true}, {"c", false},
		{"d", false},              // a leaves the window
		{"b", true}, {"a", false}, // b leaves
		{"c", true}, {"b", false}, // c leaves
		{"c", false}, {"c", true},
	} {
		if got := d.addHash(idHash(tc.id)); got != tc.want {
			t.Fatalf("add(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

// TestDedupMatchesAWindowOfTheLastIDs compares the table with the plain
// definition — the last n ids recorded, in a list — over a long run of
// ids from a small pool, so that ids come back inside and outside the
// window and the ring laps many times; and the export with that list.
func TestDedupMatchesAWindowOfTheLastIDs(t *testing.T) {
	for _, tc := range []struct{ window, pool int }{{1, 3}, {7, 10}, {50, 60}, {50, 500}, {1000, 1500}} {
		d := newDedup(tc.window)
		var last []uint64 // the reference: recorded hashes, oldest first
		rng := rand.New(rand.NewPCG(uint64(tc.window), uint64(tc.pool)))
		for i := range 200_000 {
			h := idHash(strconv.Itoa(rng.IntN(tc.pool)))
			want := slices.Contains(last, h)
			if got := d.addHash(h); got != want {
				t.Fatalf("window %d, pool %d, add %d: duplicate %v, want %v", tc.window, tc.pool, i, got, want)
			}
			if !want {
				if last = append(last, h); len(last) > tc.window {
					last = last[1:]
				}
			}
		}
		if got := d.export(); !slices.Equal(got, last) {
			t.Errorf("window %d, pool %d: export %v, want %v", tc.window, tc.pool, got, last)
		}
		if d.seen.Len() != len(last) {
			t.Errorf("window %d, pool %d: %d hashes in the table, want the window's %d", tc.window, tc.pool, d.seen.Len(), len(last))
		}
	}
}
