package engine

import (
	"fmt"
	"slices"
	"testing"
)

// TestSocialProofFollowsTheCounts: the sentences are cached per item, so
// each step changes a count behind them and checks the sentences say the
// new count, not the cached one.
func TestSocialProofFollowsTheCounts(t *testing.T) {
	e := New(Config{})
	ts := int64(1_750_000_000_000)
	apply := func(ev Event) {
		t.Helper()
		ts += 1000
		ev.TS = ts
		mustApply(t, e, ev)
	}
	apply(Event{Type: "item", Item: "mug", Title: "Mug", Price: 10})
	steps := []struct {
		name   string
		events func()
		want   []string
	}{
		{"nothing to say", func() {}, nil},
		{"nine ratings: below the threshold", func() {
			for u := 0; u < 9; u++ {
				apply(Event{Type: "rate", User: fmt.Sprint("r", u), Item: "mug", Value: 4})
			}
		}, nil},
		{"the tenth rating", func() {
			apply(Event{Type: "rate", User: "r9", Item: "mug", Value: 5})
		}, []string{"rated 4.1 by 10 shoppers"}},
		{"an eleventh, low", func() {
			apply(Event{Type: "rate", User: "r10", Item: "mug", Value: 1})
		}, []string{"rated 3.8 by 11 shoppers"}},
		{"five purchases", func() {
			for u := 0; u < 5; u++ {
				apply(Event{Type: "purchase", User: fmt.Sprint("b", u), Item: "mug"})
			}
		}, []string{"bought 5 times this week", "rated 3.8 by 11 shoppers"}},
		{"a sixth", func() {
			apply(Event{Type: "purchase", User: "b5", Item: "mug"})
		}, []string{"bought 6 times this week", "rated 3.8 by 11 shoppers"}},
	}
	id, _ := e.catalog.Lookup("mug")
	for _, st := range steps {
		st.events()
		for range 2 { // built, then from the cache
			if got := e.socialProof(id, e.clock, nil); !slices.Equal(got, st.want) {
				t.Fatalf("%s: social proof %q, want %q", st.name, got, st.want)
			}
		}
	}
}
