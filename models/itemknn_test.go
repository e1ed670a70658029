package models

import (
	"sync"
	"testing"

	"reco/features"
)

func TestItemKNNNeighbours(t *testing.T) {
	c := features.NewCoOccurrence(100, 0)
	// 0 co-occurs with 1 often, with 2 rarely; 3 is popular and co-occurs
	// with 0 as often as 1 does, but also with everything else.
	for i := 0; i < 20; i++ {
		c.AddOccurrence(0, 1)
		c.AddOccurrence(1, 1)
		c.AddPair(0, 1, 1)
	}
	c.AddOccurrence(2, 1)
	c.AddPair(0, 2, 1)
	for i := 0; i < 200; i++ {
		c.AddOccurrence(3, 1)
	}
	for i := 0; i < 20; i++ {
		c.AddPair(0, 3, 1)
	}
	m := NewItemKNN(c, ItemKNNConfig{Shrink: 1})
	m.Grow(4)
	nb := m.Neighbors(0, 0)
	if len(nb) != 3 || nb[0].Item != 1 || nb[1].Item != 3 {
		t.Fatalf("neighbours of 0 = %+v, want 1 before the popular 3, then 2", nb)
	}
	// A new partner appears once the background refresh ran.
	c.AddOccurrence(5, 50)
	m.Grow(6)
	for i := 0; i < 30; i++ {
		c.AddPair(0, 5, 1)
	}
	if nb := m.Neighbors(0, 0); len(nb) != 3 {
		t.Fatalf("before Refresh: %+v, want the cached 3 neighbours", nb)
	}
	if next, n := m.Refresh(0, 0, 100, 1, 0); next != 0 || n == 0 {
		t.Fatalf("Refresh = (%d, %d), want to wrap around after recomputing", next, n)
	}
	if nb := m.Neighbors(0, 0); len(nb) != 4 || nb[1].Item != 5 {
		t.Fatalf("after Refresh: %+v, want 4 neighbours with 5 second", nb)
	}
	// A list Refresh computed less than minAge ago waits, though changed.
	c.AddOccurrence(6, 50)
	m.Grow(7)
	for i := 0; i < 40; i++ {
		c.AddPair(0, 6, 1)
	}
	if _, n := m.Refresh(0, 0, 1, 1+999, 1000); n != 0 { // item 0 only
		t.Fatalf("Refresh within minAge recomputed %d lists, want 0", n)
	}
	if nb := m.Neighbors(0, 0); len(nb) != 4 {
		t.Fatalf("within minAge: %+v, want the 4 cached neighbours", nb)
	}
	if _, n := m.Refresh(0, 0, 1, 1+1000, 1000); n != 1 {
		t.Fatalf("Refresh once minAge passed recomputed %d lists, want item 0's", n)
	}
	if nb := m.Neighbors(0, 0); len(nb) != 5 || nb[0].Item != 6 {
		t.Fatalf("after minAge: %+v, want 5 neighbours with 6 first", nb)
	}
}

// TestItemKNNKeepsTheBestNeighbours: a row with more partners than
// Neighbors (many of them tied) must give exactly the first Neighbors of
// the fully sorted row, ties by item id.
func TestItemKNNKeepsTheBestNeighbours(t *testing.T) {
	for _, keep := range []int{1, 7, 30, 200} {
		c := features.NewCoOccurrence(1000, 0)
		const partners = 150
		c.AddOccurrence(0, 1)
		for b := 1; b <= partners; b++ {
			c.AddOccurrence(features.ItemID(b), 1)
			c.AddPair(0, features.ItemID(b), float32(1+b%9)) // nine distinct weights: many ties
		}
		m := NewItemKNN(c, ItemKNNConfig{Neighbors: keep, Shrink: 1})
		m.Grow(partners + 1)
		got := m.Neighbors(0, 0)
		// Reference: every partner sorted by weight, then id; the first keep.
		var want []features.ItemID
		for w := 9; w >= 1; w-- {
			for b := 1; b <= partners; b++ {
				if 1+b%9 == w {
					want = append(want, features.ItemID(b))
				}
			}
		}
		want = want[:min(keep, len(want))]
		if len(got) != len(want) {
			t.Fatalf("Neighbors %d: got %d neighbours, want %d", keep, len(got), len(want))
		}
		for i := range want {
			if got[i].Item != want[i] {
				t.Fatalf("Neighbors %d: position %d is item %d, want %d", keep, i, got[i].Item, want[i])
			}
		}
	}
}

// TestItemKNNGrowsWhileRefreshing: the engine grows the cache under its
// own lock while the background refresh runs under the co-occurrence
// table's lock only, so the two must be safe together (go test -race)
// and lists of items in later blocks must come out right.
func TestItemKNNGrowsWhileRefreshing(t *testing.T) {
	const items = 3*neighborBlockSize + 10
	c := features.NewCoOccurrence(100, 0)
	var coocMu sync.RWMutex
	m := NewItemKNN(c, ItemKNNConfig{Shrink: 1})
	m.Grow(1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for a := 1; a < items; a++ {
			coocMu.Lock()
			c.AddOccurrence(features.ItemID(a), 1)
			c.AddPair(features.ItemID(a), features.ItemID(a-1), 1)
			coocMu.Unlock()
			m.Grow(a + 1)
		}
	}()
	for from, refreshing := 0, true; refreshing; {
		select {
		case <-done:
			refreshing = false
		default:
		}
		coocMu.RLock()
		from, _ = m.Refresh(0, from, 16, 0, 0)
		coocMu.RUnlock()
	}
	if _, n := m.Refresh(0, 0, items, 1, 0); n == 0 {
		t.Fatal("final Refresh recomputed nothing")
	}
	for a := 1; a < items; a++ {
		nb := m.Neighbors(features.ItemID(a), 0)
		if len(nb) == 0 || (nb[0].Item != features.ItemID(a-1) && nb[len(nb)-1].Item != features.ItemID(a-1)) {
			t.Fatalf("neighbours of %d = %+v, want %d among them", a, nb, a-1)
		}
	}
	if nb := m.Neighbors(items, 0); nb != nil {
		t.Fatalf("neighbours of an item beyond the grown ones = %+v, want none", nb)
	}
}
