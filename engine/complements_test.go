package engine

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"reco/features"
)

// TestComplementListsFollowTheBaskets: an anchor's complement list is
// kept while the baskets do not change, computed again once they did and
// the list is older than ComplementMaxAge, and equal to a list computed
// afresh whenever it is kept.
func TestComplementListsFollowTheBaskets(t *testing.T) {
	const hour = 3_600_000
	ts := int64(1_700_000_000_000)
	basket := func(e *Engine, user string, items ...string) {
		for _, it := range items {
			ts += 1000
			mustApply(t, e, Event{Type: "purchase", User: user, Item: it, TS: ts})
		}
		ts += 48 * hour // the next purchase starts a new basket
	}
	shop := func(maxAge time.Duration) *Engine {
		e := New(Config{ComplementMaxAge: maxAge})
		for _, it := range []string{"cam", "card", "bag", "tea", "cup", "pan"} {
			mustApply(t, e, Event{Type: "item", Item: it, Price: 10, TS: ts})
		}
		for u := range 6 {
			basket(e, fmt.Sprint("u", u), "cam", "card")
			basket(e, fmt.Sprint("v", u), "tea", "cup")
			basket(e, fmt.Sprint("w", u), "pan")
		}
		return e
	}
	names := func(e *Engine, l *complementList) []string {
		var out []string
		for _, id := range l.items {
			out = append(out, e.catalog.Item(id).ID)
		}
		slices.Sort(out)
		return out
	}
	fresh := func(e *Engine, a features.ItemID) *complementList {
		e.complementLists.Slot(a).Store(nil)
		now := time.Now()
		return e.complementsOf(a, &now)
	}

	for _, tc := range []struct {
		maxAge time.Duration
		stale  bool // the list before the new baskets is still served right after them
	}{
		{time.Hour, true},
		{-1, false},
	} {
		t.Run(fmt.Sprint("max age ", tc.maxAge), func(t *testing.T) {
			e := shop(tc.maxAge)
			cam, _ := e.catalog.Lookup("cam")
			now := time.Now()
			first := e.complementsOf(cam, &now)
			if got := names(e, first); !slices.Equal(got, []string{"card"}) {
				t.Fatalf("complements of cam: %v, want [card]", got)
			}
			if again := e.complementsOf(cam, ptr(now.Add(2*time.Hour))); again != first {
				t.Fatalf("baskets unchanged, yet the list was computed again")
			}
			for u := range 6 {
				basket(e, fmt.Sprint("x", u), "cam", "bag")
			}
			got := e.complementsOf(cam, ptr(now.Add(time.Millisecond)))
			if tc.stale != (got == first) {
				t.Fatalf("right after new baskets: kept list %v, want kept %v", got == first, tc.stale)
			}
			later := e.complementsOf(cam, ptr(now.Add(2*time.Hour)))
			if want := []string{"bag", "card"}; !slices.Equal(names(e, later), want) {
				t.Fatalf("complements of cam after the bag baskets: %v, want %v", names(e, later), want)
			}
			if f := fresh(e, cam); !slices.Equal(f.items, later.items) || !slices.Equal(f.vals, later.vals) {
				t.Fatalf("kept list %v %v differs from a fresh one %v %v", later.items, later.vals, f.items, f.vals)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
