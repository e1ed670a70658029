package features

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
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

// TestHistoriesKeepEveryField checks that what a history stores in 16
// bytes comes back as it went in — through Recent and through a snapshot
// — and that a time beyond the 56 bits it has is held at the bound.
func TestHistoriesKeepEveryField(t *testing.T) {
	const ms2026 = 1_780_000_000_000
	for _, tc := range []struct {
		name string
		in   Interaction
		want Interaction // zero: in
	}{
		{"a view", Interaction{TS: ms2026, Item: 7, Kind: View}, Interaction{}},
		{"a rating", Interaction{TS: ms2026 + 1, Item: 1<<32 - 1, Value: 4.5, Kind: Rate}, Interaction{}},
		{"a purchase", Interaction{TS: 1, Item: 0, Value: 3, Kind: Purchase}, Interaction{}},
		{"the largest kind", Interaction{TS: ms2026, Item: 2, Kind: 255}, Interaction{}},
		{"before 1970", Interaction{TS: -ms2026, Item: 3, Value: -1, Kind: Dismiss}, Interaction{}},
		{"at the bound", Interaction{TS: maxStoredTS, Item: 4, Kind: Cart}, Interaction{}},
		{"beyond the bound", Interaction{TS: math.MaxInt64, Item: 5, Kind: Click}, Interaction{TS: maxStoredTS, Item: 5, Kind: Click}},
		{"below the bound", Interaction{TS: math.MinInt64, Item: 6, Kind: View}, Interaction{TS: -maxStoredTS, Item: 6, Kind: View}},
	} {
		want := tc.want
		if want == (Interaction{}) {
			want = tc.in
		}
		us := NewUsers(4)
		id := us.Ensure("ann")
		us.Append(id, Interaction{TS: 5, Item: 9, Kind: View}) // a neighbour in the ring
		us.Append(id, tc.in)
		for _, from := range []*Users{us, ImportUsers(us.Export(), 0)} {
			var got []Interaction
			from.User(id).Recent(0, func(x Interaction) bool { got = append(got, x); return true })
			if len(got) != 2 || got[0] != want || got[1] != (Interaction{TS: 5, Item: 9, Kind: View}) {
				t.Errorf("%s: history %+v, want [%+v {TS:5 Item:9 Kind:View}]", tc.name, got, want)
			}
		}
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

// TestCoOccurrencePruneKeepsTheStrongestHalf fills a row one partner past
// maxRow, which prunes it once, and checks that exactly maxRow/2 partners
// are left and none weaker than one dropped: with weights in groups of
// four equal ones (the cut falls inside a group), and with every weight
// tied (rows of ties must shrink too, or every later add would prune
// again). A row of 1,000 is cut by radix selection, the small ones by
// quickselect.
func TestCoOccurrencePruneKeepsTheStrongestHalf(t *testing.T) {
	for _, tt := range []struct {
		name   string
		maxRow int
		group  int // partners sharing one weight
	}{
		{"groups of four, small row", 10, 4},
		{"all tied, small row", 8, 1 << 20},
		{"groups of four, large row", 1000, 4},
		{"all tied, large row", 1000, 1 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCoOccurrence(tt.maxRow, 0)
			n := tt.maxRow + 1
			weight := func(b ItemID) float32 { return float32(1 + (int(b)-1)/tt.group) }
			// In a scrambled order, so that no selection finds them sorted.
			for i := 0; i < n; i++ {
				b := ItemID(1 + (i*7919)%n)
				c.AddPair(0, b, weight(b))
			}
			if got, want := c.Partners(0), tt.maxRow/2; got != want {
				t.Fatalf("%d partners after one prune, want %d", got, want)
			}
			weakestKept, strongestDropped := float32(math.Inf(1)), float32(0)
			for b := ItemID(1); int(b) <= n; b++ {
				if c.Pair(0, b) != 0 {
					weakestKept = min(weakestKept, weight(b))
				} else {
					strongestDropped = max(strongestDropped, weight(b))
				}
			}
			if weakestKept < strongestDropped {
				t.Fatalf("kept a partner of weight %v, dropped one of %v", weakestKept, strongestDropped)
			}
		})
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
		p.add(k, 1, nil)
		ref[k]++
		if i%500 == 0 {
			p.remove(k, nil)
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

// TestPopularityEqualsTheDecayedSum checks the forward-decayed table
// against the definition, Σ w·2^(-(now-t)/halfLife), for events in any
// order, past rebaseHalfLives (so that values are rebased while they
// still count), read one item at a time (At) and many at once (Scale,
// AtScale).
func TestPopularityEqualsTheDecayedSum(t *testing.T) {
	const halfLife = 1000
	for _, tc := range []struct {
		name    string
		span    int64 // events fall in [0, span) ms
		inOrder bool  // else in random order
	}{
		{"within a half-life", halfLife / 2, false},
		{"a few half-lives", 5 * halfLife, false},
		// In time order, values rebased hold recent events that count.
		{"past the rebase point", (rebaseHalfLives + 6) * halfLife, true},
		{"past the rebase point, any order", (rebaseHalfLives + 6) * halfLife, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.span)))
			p := NewPopularity(halfLife)
			type ev struct {
				id ItemID
				w  float64
				ts int64
			}
			var evs []ev
			for range 2000 {
				evs = append(evs, ev{ItemID(rng.IntN(5)), 1 + 9*rng.Float64(), rng.Int64N(tc.span)})
			}
			if tc.inOrder {
				slices.SortFunc(evs, func(a, b ev) int { return cmp.Compare(a.ts, b.ts) })
			}
			for _, e := range evs {
				p.Add(e.id, e.w, e.ts)
			}
			now := tc.span
			scale := p.Scale(now)
			for id := range ItemID(5) {
				want := 0.0
				for _, e := range evs {
					if e.id == id {
						want += e.w * math.Exp2(-float64(now-e.ts)/halfLife)
					}
				}
				for _, got := range []float64{p.At(id, now), p.AtScale(id, scale)} {
					if math.Abs(got-want) > 1e-9*math.Max(1, want) {
						t.Fatalf("item %d at %d: %v, want %v", id, now, got, want)
					}
				}
			}
			// The persistent form round-trips.
			q := ImportPopularity(p.Export())
			for id := range ItemID(6) {
				if a, b := p.At(id, now), q.At(id, now); math.Abs(a-b) > 1e-12*math.Max(1, a) {
					t.Fatalf("item %d after export and import: %v, want %v", id, b, a)
				}
			}
		})
	}
}

// TestPopularityImportsPerItemTimes: snapshots written before the table
// kept one reference time hold each item's value as of its own Last.
func TestPopularityImportsPerItemTimes(t *testing.T) {
	p := ImportPopularity(PopularityState{HalfLifeMs: 1000, Value: []float64{8, 2, 0}, Last: []int64{0, 2000, 0}})
	for _, tc := range []struct {
		id   ItemID
		want float64
	}{
		{0, 1}, // 8 halved three times by 3000
		{1, 1}, // 2 halved once
		{2, 0}, // nothing
		{3, 0}, // unknown item
	} {
		if got := p.At(tc.id, 3000); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("item %d at 3000: %v, want %v", tc.id, got, tc.want)
		}
	}
	p.Add(2, 4, 3000)
	if got := p.At(2, 4000); math.Abs(got-2) > 1e-12 {
		t.Fatalf("an event after import: %v, want 2", got)
	}
}

// TestImportCoOccurrenceKeepsTheConfiguredMaxRow restores a table saved
// with rows of up to 1,000 partners under a bound of 100: the long row
// keeps its strongest 50 in a table sized for them, the short one stays
// whole, and the bound holds for what is added next. Under the saved
// bound nothing is dropped.
func TestImportCoOccurrenceKeepsTheConfiguredMaxRow(t *testing.T) {
	c := NewCoOccurrence(1000, 0)
	for b := ItemID(1); b <= 900; b++ {
		c.AddPair(0, b, float32(b))
	}
	for b := ItemID(1001); b <= 1060; b++ {
		c.AddPair(950, b, 1)
	}
	saved := c.Export()

	if whole := ImportCoOccurrence(saved, 1000); whole.Partners(0) != 900 || whole.Partners(950) != 60 {
		t.Fatalf("under the saved bound: %d and %d partners, want 900 and 60", whole.Partners(0), whole.Partners(950))
	}
	d := ImportCoOccurrence(saved, 100)
	if got := d.Partners(0); got != 50 {
		t.Fatalf("long row: %d partners, want its strongest 50", got)
	}
	if d.Pair(0, 851) != 851 || d.Pair(0, 900) != 900 || d.Pair(0, 850) != 0 {
		t.Fatalf("long row kept the wrong partners: 850 → %v, 851 → %v, 900 → %v", d.Pair(0, 850), d.Pair(0, 851), d.Pair(0, 900))
	}
	if got, want := len(d.rows[0].slots), slotsFor(50); got != want {
		t.Fatalf("long row: %d slots, want %d (sized for what it keeps)", got, want)
	}
	if got := d.Partners(950); got != 60 {
		t.Fatalf("short row: %d partners, want all 60", got)
	}
	for b := ItemID(2001); b <= 2051; b++ { // 51 new partners: 101 in all
		d.AddPair(0, b, 1000)
	}
	if got := d.Partners(0); got != 50 {
		t.Fatalf("after 51 more partners: %d, want 50 (pruned again at 101)", got)
	}
}
