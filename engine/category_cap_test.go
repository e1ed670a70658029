package engine

import (
	"fmt"
	"testing"
)

// TestFeedCapsEachLeafCategory: at most FeedCategoryCapPct (40 %: 4 of
// 10) of a feed comes from one leaf category while other categories have
// candidates; when they run out, the best of the rest fill the feed; and
// a restored snapshot caps as the engine that saved it did.
func TestFeedCapsEachLeafCategory(t *testing.T) {
	tests := []struct {
		name    string
		leaves  []string // the leaf category of items i0, i1, ... in turn
		maxLeaf int      // most items of one leaf in a 10-item feed
	}{
		{"four leaves, one far stronger", []string{"shoes/running", "shoes/running", "shoes/running", "socks/sport", "shirts/sport", "caps/sport"}, 4},
		{"one leaf only", []string{"shoes/running"}, 10},
		{"two leaves sharing a parent: 4 + 4, then the stronger's best", []string{"shoes/running", "shoes/trail"}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(Config{})
			ts := int64(1_750_000_000_000)
			const items = 40
			leafOf := map[string]string{}
			for i := range items {
				leaf := tt.leaves[i%len(tt.leaves)]
				item := fmt.Sprint("i", i)
				leafOf[item] = leaf
				mustApply(t, e, Event{Type: TypeItem, Item: item, Categories: []string{"all", leaf}, Price: 10, TS: ts})
			}
			// Shoppers view every item, the first leaf's most: they
			// dominate every model's scores.
			for u := range 50 {
				for i := range items {
					if leafOf[fmt.Sprint("i", i)] == tt.leaves[0] || (u+i)%4 == 0 {
						ts += 1000
						mustApply(t, e, Event{Type: "view", User: fmt.Sprint("u", u), Item: fmt.Sprint("i", i), TS: ts})
					}
				}
			}
			mustApply(t, e, Event{Type: "view", User: "me", Item: "i0", TS: ts + 1})
			check := func(e *Engine, when string) {
				t.Helper()
				resp, err := e.Recommend(&Request{Slot: SlotFeed, User: "me", N: 10})
				if err != nil {
					t.Fatal(err)
				}
				if len(resp.Items) != 10 {
					t.Fatalf("%s: %d items, want 10", when, len(resp.Items))
				}
				perLeaf := map[string]int{}
				most := 0
				for _, it := range resp.Items {
					perLeaf[leafOf[it.Item]]++
					most = max(most, perLeaf[leafOf[it.Item]])
				}
				if most != tt.maxLeaf {
					t.Fatalf("%s: items per leaf %v, want at most %d of one, and that many", when, perLeaf, tt.maxLeaf)
				}
			}
			check(e, "live")
			check(restored(t, e), "restored")
		})
	}
}
