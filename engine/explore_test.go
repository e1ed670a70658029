package engine

import (
	"fmt"
	"strings"
	"testing"
)

// TestFeedExploresNewArrivals: the last of ten feed slots goes to a new
// arrival in a category the user shows interest in, said as such — also
// in an engine restored from a snapshot — and stops once the item is no
// longer new (explore skips its scan then, see newestListing).
func TestFeedExploresNewArrivals(t *testing.T) {
	e := New(Config{})
	const day = 86_400_000
	ts := int64(1_700_000_000_000)
	late := ts + 30*day
	apply := func(ev Event) { mustApply(t, e, ev) }
	for i := range 12 {
		apply(Event{Type: "item", Item: fmt.Sprint("lamp", i), Categories: []string{"home", "home/lamps"}, Price: 20, TS: ts})
		apply(Event{Type: "item", Item: fmt.Sprint("vase", i), Categories: []string{"home", "home/vases"}, Price: 30, TS: ts})
	}
	for u := range 40 {
		user := fmt.Sprint("u", u)
		for k := range 4 {
			apply(Event{Type: "view", User: user, Item: fmt.Sprint("lamp", (u+k)%12), TS: ts + day + int64(k)})
			apply(Event{Type: "view", User: user, Item: fmt.Sprint("vase", (u+k)%12), TS: ts + day + int64(k)})
		}
	}
	apply(Event{Type: "item", Item: "lamp-new", Categories: []string{"home", "home/lamps"}, Price: 25, TS: late})
	apply(Event{Type: "view", User: "me", Item: "lamp0", TS: late + 3_600_000})
	apply(Event{Type: "view", User: "me", Item: "lamp1", TS: late + 3_600_001})
	e.RefreshNeighbors()

	explored := func(e *Engine) (bool, *Response) {
		t.Helper()
		resp, err := e.Recommend(&Request{Slot: SlotFeed, User: "me", N: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range resp.Items {
			if it.Item == "lamp-new" && len(it.Reasons) > 0 && it.Reasons[0] == "new in home/lamps" {
				return true, resp
			}
		}
		return false, resp
	}
	if ok, resp := explored(e); !ok {
		t.Fatalf("feed %v: want lamp-new explored (\"new in home/lamps\")", items(resp))
	}
	if ok, resp := explored(restored(t, e)); !ok {
		t.Fatalf("restored engine's feed %v: want lamp-new explored", items(resp))
	}
	// Eight days later lamp-new is no longer new.
	apply(Event{Type: "view", User: "me", Item: "vase0", TS: late + 8*day})
	if ok, resp := explored(e); ok {
		t.Fatalf("feed %v: lamp-new explored 8 days after its listing", items(resp))
	}
	for _, it := range must(e.Recommend(&Request{Slot: SlotFeed, User: "me", N: 10})).Items {
		if strings.HasPrefix(it.Reasons[0], "new in ") {
			t.Fatalf("%s explored with no new arrival left", it.Item)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
