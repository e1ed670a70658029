package engine

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFeedSelectionMatchesRankingEveryCandidate: selectTop applies the
// feed's per-item rules only to candidates that can still make the answer
// (bounded by feedFactorBound). Its answer must be the one of applying the
// rules to every candidate and sorting: on items whose rules lift a score
// by the most they can (engagement 2 × freshness 1.2) and cut it by half,
// lifted by clicks or by a first impression after clicks, live and after
// a snapshot restore; and on a shop without impressions or new listings,
// where the bound must come down to 1.
func TestFeedSelectionMatchesRankingEveryCandidate(t *testing.T) {
	const items = 60
	ts := int64(1_750_000_000_000)
	late := ts + 60*86_400_000 // the second half is listed 60 days later: new arrivals
	shop := func(t *testing.T, newListings bool, engage func(apply func(Event), item string, i int)) *Engine {
		e := New(Config{})
		apply := func(ev Event) { mustApply(t, e, ev) }
		for i := 0; i < items; i++ {
			at := ts
			if newListings && i >= items/2 {
				at = late
			}
			apply(Event{Type: "item", Item: fmt.Sprint("i", i), Price: 10, TS: at})
		}
		for i := 0; i < items; i++ {
			engage(apply, fmt.Sprint("i", i), i)
		}
		apply(Event{Type: "view", User: "v", Item: "i0", TS: late})
		return e
	}
	// Clicked whenever shown (engagement 2) or never clicked (½).
	clickedWhenShown := func(apply func(Event), item string, i int) {
		switch i % 3 {
		case 0:
			for k := 0; k < 100; k++ {
				apply(Event{Type: "impression", User: "s", Item: item, TS: late})
				apply(Event{Type: "click", User: fmt.Sprint("c", k), Item: item, TS: late})
			}
		case 1:
			for k := 0; k < 200; k++ {
				apply(Event{Type: "impression", User: "s", Item: item, TS: late})
			}
		}
	}
	// Clicked 100 times before its first impression (engagement 1 until
	// that impression, then 2), or after its 20 impressions (½, then 2):
	// either event can lift the bound.
	clicks := func(apply func(Event), item string) {
		for k := 0; k < 100; k++ {
			apply(Event{Type: "click", User: fmt.Sprint("c", k), Item: item, TS: late})
		}
	}
	clickedThenShown := func(apply func(Event), item string, i int) {
		if i%3 == 0 {
			clicks(apply, item)
			apply(Event{Type: "impression", User: "s", Item: item, TS: late})
		}
	}
	shownThenClicked := func(apply func(Event), item string, i int) {
		if i%3 == 0 {
			for k := 0; k < 20; k++ {
				apply(Event{Type: "impression", User: "s", Item: item, TS: late})
			}
			clicks(apply, item)
		}
	}
	quiet := func(apply func(Event), item string, i int) {}
	tests := []struct {
		name   string
		engine func(t *testing.T) *Engine
		lo, hi float32 // the span of the items' factors, roughly
	}{
		{"clicked whenever shown, new listings", func(t *testing.T) *Engine { return shop(t, true, clickedWhenShown) }, 0.5, 2.4},
		{"clicked before shown, new listings", func(t *testing.T) *Engine { return shop(t, true, clickedThenShown) }, 1, 2.4},
		{"shown before clicked, new listings", func(t *testing.T) *Engine { return shop(t, true, shownThenClicked) }, 1, 2.4},
		{"restored from a snapshot", func(t *testing.T) *Engine { return restored(t, shop(t, true, clickedWhenShown)) }, 0.5, 2.4},
		{"no impressions, no new listings", func(t *testing.T) *Engine { return shop(t, false, quiet) }, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.engine(t)
			rng := rand.New(rand.NewPCG(5, 6))
			for round := 0; round < 200; round++ {
				n := 1 + rng.IntN(12)
				s := e.scratch.get(e.catalog.Len())
				s.query.Now = e.clock
				for _, i := range rng.Perm(items) {
					id, _ := e.catalog.Lookup(fmt.Sprint("i", i))
					score := rng.Float32()
					if round%2 == 1 { // ties, which rank by item id
						score = float32(1+rng.IntN(3)) / 4
					}
					s.final.Add(id, score)
				}
				var want []scored
				for _, id := range s.final.Touched {
					if f := e.feedFactor(e.catalog.Item(id), s.query.Now); f > 0 {
						want = append(want, scored{item: id, score: s.final.Get(id) * f})
					}
				}
				slices.SortFunc(want, func(a, b scored) int {
					if c := cmp.Compare(b.score, a.score); c != 0 {
						return c
					}
					return cmp.Compare(a.item, b.item)
				})
				want = want[:min(n, len(want))]
				e.selectTop(s, &Request{Slot: SlotFeed, N: n}, n)
				if !slices.Equal(s.best, want) {
					t.Fatalf("round %d, n %d: selected %v, want %v", round, n, s.best, want)
				}
				e.scratch.put(s)
			}
			// The rules did lift and cut as the case says: otherwise the
			// test proves nothing.
			lo, hi := float32(10), float32(0)
			for i := 0; i < items; i++ {
				id, _ := e.catalog.Lookup(fmt.Sprint("i", i))
				f := e.feedFactor(e.catalog.Item(id), e.clock)
				lo, hi = min(lo, f), max(hi, f)
			}
			if math.Abs(float64(lo-tt.lo)) > 0.05 || math.Abs(float64(hi-tt.hi)) > 0.1 {
				t.Fatalf("feed factors span [%v, %v], want about [%v, %v]", lo, hi, tt.lo, tt.hi)
			}
			if b := e.feedFactorBound(e.clock); b < hi || b > hi*1.01 {
				t.Fatalf("feedFactorBound = %v for factors up to %v: want it just above", b, hi)
			}
		})
	}
}
