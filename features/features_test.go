package features

import (
	"math"
	"testing"
)

func TestUsersHistoryIsABoundedRing(t *testing.T) {
	us := NewUsers(3)
	id := us.Ensure("ann")
	for i := 0; i < 5; i++ {
		us.Append(id, Interaction{Item: ItemID(i), TS: int64(i)})
	}
	u := us.User(id)
	var got []ItemID
	u.Recent(0, func(x Interaction) bool { got = append(got, x.Item); return true })
	if len(got) != 3 || got[0] != 4 || got[1] != 3 || got[2] != 2 {
		t.Fatalf("recent = %v, want [4 3 2]", got)
	}
	if u.Events != 5 || u.LastTS != 4 {
		t.Fatalf("events %d last %d, want 5 and 4", u.Events, u.LastTS)
	}
	got = got[:0]
	u.Recent(2, func(x Interaction) bool { got = append(got, x.Item); return true })
	if len(got) != 2 {
		t.Fatalf("Recent(2) gave %d", len(got))
	}
	if _, ok := us.Erase("ann"); !ok || us.Live() != 0 {
		t.Fatal("erase failed")
	}
	if _, ok := us.Lookup("ann"); ok {
		t.Fatal("erased user still found")
	}
	if again := us.Ensure("ann"); again == id {
		t.Fatal("an erased user's id was reused")
	}
}

func TestPopularityHalfLife(t *testing.T) {
	p := NewPopularity(1000)
	p.Add(0, 8, 0)
	if v := p.At(0, 3000); math.Abs(v-1) > 1e-9 {
		t.Fatalf("after 3 half-lives: %v, want 1", v)
	}
	p.Add(0, 1, 3000)
	p.Add(0, 2, 2000) // out of order: counts as 2 decayed by one half-life
	if v := p.At(0, 3000); math.Abs(v-3) > 1e-9 {
		t.Fatalf("got %v, want 3", v)
	}
}

func TestCoOccurrenceBoostKeepsRatios(t *testing.T) {
	c := NewCoOccurrence(100, 1000)
	b0 := c.Boost(0)
	c.AddPair(1, 2, b0)
	b1 := c.Boost(1000) // one half-life later: new weight counts double
	c.AddPair(1, 3, b1)
	if r := c.Pair(1, 3) / c.Pair(1, 2); math.Abs(float64(r)-2) > 1e-6 {
		t.Fatalf("ratio new/old = %v, want 2", r)
	}
	// Far in the future everything is rescaled; the ratio must survive.
	c.Boost(1000 * 60)
	if r := c.Pair(1, 3) / c.Pair(1, 2); math.Abs(float64(r)-2) > 1e-4 {
		t.Fatalf("ratio after rescale = %v, want 2", r)
	}
}

func TestCoOccurrencePruneShrinksRowsOfTies(t *testing.T) {
	c := NewCoOccurrence(8, 0)
	for b := ItemID(1); b <= 100; b++ {
		c.AddPair(0, b, 1) // every partner seen once: all tied
	}
	if n := c.Partners(0); n > 8 || n < 4 { // pruned to half, then refilled
		t.Fatalf("row of ties has %d partners, want 4..8", n)
	}
}

func TestCoOccurrencePrunesWeakestPartners(t *testing.T) {
	c := NewCoOccurrence(8, 0)
	for b := ItemID(1); b <= 20; b++ {
		c.AddPair(0, b, float32(b))
	}
	if n := c.Partners(0); n > 8 {
		t.Fatalf("row has %d partners, want at most 8", n)
	}
	if c.Pair(0, 20) != 20 {
		t.Fatal("the strongest partner was pruned")
	}
	if c.Pair(0, 1) != 0 {
		t.Fatal("the weakest partner survived")
	}
}

func TestContentSharesHierarchicalCategories(t *testing.T) {
	c := NewContent()
	a := &Item{Title: "Trail shoe", Categories: []string{"shoes/running"}}
	b := &Item{Title: "Road racer", Categories: []string{"shoes/road"}}
	c.Set(0, a)
	c.Set(1, b)
	shared := 0
	for _, fa := range c.Features(0) {
		for _, fb := range c.Features(1) {
			if fa == fb {
				shared++
			}
		}
	}
	if shared != 1 { // "shoes", the parent of both leaves
		t.Fatalf("items share %d features, want 1 (the parent category)", shared)
	}
	c.Remove(0)
	if len(c.Features(0)) != 0 || c.InvNorm(0) != 0 {
		t.Fatal("removed item keeps features")
	}
	for _, f := range c.Features(1) {
		for _, x := range c.Postings(f) {
			if x.Item == 0 {
				t.Fatal("removed item still in postings")
			}
		}
	}
}

// TestPartnersMatchesAMap drives the open-addressing row and a Go map with
// the same operations and compares them.
func TestPartnersMatchesAMap(t *testing.T) {
	var p partners
	ref := map[ItemID]float32{}
	for i := 0; i < 5000; i++ {
		k := ItemID((i * 7919) % 1237)
		p.add(k, 1)
		ref[k]++
		if i%500 == 0 {
			p.remove(k)
			delete(ref, k)
		}
	}
	if int(p.n) != len(ref) {
		t.Fatalf("size %d, want %d", p.n, len(ref))
	}
	for k, v := range ref {
		if p.get(k) != v {
			t.Fatalf("get(%d) = %v, want %v", k, p.get(k), v)
		}
	}
	if p.get(99999) != 0 {
		t.Fatal("absent key has a weight")
	}
	seen := 0
	p.each(func(k ItemID, v float32) {
		seen++
		if ref[k] != v {
			t.Fatalf("each: %d=%v, want %v", k, v, ref[k])
		}
	})
	if seen != len(ref) {
		t.Fatalf("each visited %d, want %d", seen, len(ref))
	}
}
