package engine

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFeedSelectionMatchesRankingEveryCandidate: selectTop applies the
// feed's per-item rules only to candidates that can still make the answer
// (bounded by maxFeedFactor). Its answer must be the one of applying the
// rules to every candidate and sorting, on items whose rules lift a score
// by the most they can (engagement 2 × freshness 1.2) and cut it by half.
func TestFeedSelectionMatchesRankingEveryCandidate(t *testing.T) {
	e := New(Config{})
	ts := int64(1_750_000_000_000)
	apply := func(ev Event) { mustApply(t, e, ev) }
	const items = 60
	late := ts + 60*86_400_000 // the second half is listed 60 days later: new arrivals
	for i := 0; i < items; i++ {
		at := ts
		if i >= items/2 {
			at = late
		}
		apply(Event{Type: "item", Item: fmt.Sprint("i", i), Price: 10, TS: at})
	}
	for i := 0; i < items; i++ {
		item := fmt.Sprint("i", i)
		switch i % 3 {
		case 0: // clicked whenever shown: engagement 2
			for k := 0; k < 100; k++ {
				apply(Event{Type: "impression", User: "s", Item: item, TS: late})
				apply(Event{Type: "click", User: fmt.Sprint("c", k), Item: item, TS: late})
			}
		case 1: // never clicked: engagement ½
			for k := 0; k < 200; k++ {
				apply(Event{Type: "impression", User: "s", Item: item, TS: late})
			}
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for round := 0; round < 200; round++ {
		n := 1 + rng.IntN(12)
		s := e.scratch.get(e.catalog.Len())
		s.query.Now = e.clock
		for _, i := range rng.Perm(items) {
			id, _ := e.catalog.Lookup(fmt.Sprint("i", i))
			s.final.Add(id, rng.Float32())
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
	// The rules did lift and cut: otherwise the test proves nothing.
	lo, hi := float32(10), float32(0)
	for i := 0; i < items; i++ {
		id, _ := e.catalog.Lookup(fmt.Sprint("i", i))
		f := e.feedFactor(e.catalog.Item(id), e.clock)
		lo, hi = min(lo, f), max(hi, f)
	}
	if lo > 0.55 || hi < 2.3 {
		t.Fatalf("feed factors span [%v, %v], want about [0.5, 2.4]", lo, hi)
	}
}
