package engine

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBaskets checks where baskets begin and end: after BasketWindow
// without cart or purchase, and at the first cart after a purchase (a
// checkout), but not at a purchase after a purchase nor at a view.
func TestBaskets(t *testing.T) {
	const hour = int64(time.Hour / time.Millisecond)
	tests := []struct {
		name    string
		events  string // type:item[@hours], one user, a minute apart
		baskets float64
		counts  map[string]float64 // "a,b": baskets holding both; "a": holding a
	}{
		{"carts together", "cart:a cart:b cart:c", 1,
			map[string]float64{"a,b": 1, "b,c": 1, "a,c": 1}},
		{"a view does not close the basket", "cart:a view:x cart:b", 1,
			map[string]float64{"a,b": 1, "a,x": 0}},
		{"a carted item bought is counted once", "cart:a cart:b purchase:a purchase:b", 1,
			map[string]float64{"a,b": 1, "a": 1, "b": 1}},
		{"the items of one checkout", "cart:a purchase:a purchase:b purchase:c", 1,
			map[string]float64{"a,b": 1, "a,c": 1, "b,c": 1}},
		{"a cart after a checkout is the next order", "cart:a purchase:a cart:b cart:c", 2,
			map[string]float64{"a,b": 0, "a,c": 0, "b,c": 1}},
		{"an item left unbought stays in the old basket", "cart:a cart:b purchase:b cart:c purchase:c", 2,
			map[string]float64{"a,b": 1, "a,c": 0, "b,c": 0}},
		{"the window", "cart:a cart:b@30 cart:c@31", 2,
			map[string]float64{"a,b": 0, "b,c": 1}},
		// Events of one time: a checkout still ends its basket.
		{"one time: a cart after a checkout", "cart:a@1 purchase:a@1 cart:b@1 cart:c@1", 2,
			map[string]float64{"a,b": 0, "a,c": 0, "b,c": 1}},
		{"one time: an item carted again after its checkout", "cart:a@1 purchase:a@1 cart:a@1 cart:b@1", 2,
			map[string]float64{"a,b": 1, "a": 2, "b": 1}},
		{"one time: the items of one checkout", "cart:a@1 cart:b@1 purchase:a@1 purchase:b@1 purchase:c@1", 1,
			map[string]float64{"a,b": 1, "a,c": 1, "b,c": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(Config{})
			ts := int64(1_700_000_000_000)
			for _, it := range []string{"a", "b", "c", "x"} {
				if err := e.Apply(&Event{Type: TypeItem, Item: it, Price: 10, TS: ts}); err != nil {
					t.Fatal(err)
				}
			}
			for i, f := range strings.Fields(tt.events) {
				typ, item, _ := strings.Cut(f, ":")
				at := ts + int64(i+1)*60_000
				if name, hours, ok := strings.Cut(item, "@"); ok {
					h, err := strconv.Atoi(hours)
					if err != nil {
						t.Fatal(err)
					}
					item, at = name, ts+int64(h)*hour
				}
				if err := e.Apply(&Event{Type: typ, User: "u1", Item: item, TS: at}); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
			}
			if got := e.baskets.Total(); got != tt.baskets {
				t.Errorf("%d baskets, want %v", int(got), tt.baskets)
			}
			for items, want := range tt.counts {
				a, b, pair := strings.Cut(items, ",")
				got := e.baskets.Count(e.mustItem(t, a))
				if pair {
					got = e.baskets.Support(e.mustItem(t, a), e.mustItem(t, b))
				}
				if got != want {
					t.Errorf("baskets holding %s: %v, want %v", items, got, want)
				}
			}
		})
	}
}

// TestCrossSellStartsFromTheCurrentBasket: without an item or a cart in
// the request, cross-sell starts from the user's current basket — after
// a checkout and a new cart, the new cart only, also when the events
// share a time; before the new cart, the order just bought.
func TestCrossSellStartsFromTheCurrentBasket(t *testing.T) {
	tests := []struct {
		name   string
		events string // type:item, one user; all at one time when sameTime
		same   bool
		want   []string // newest first
	}{
		{"an open basket", "cart:a cart:b", false, []string{"b", "a"}},
		{"just checked out", "cart:a cart:b purchase:a purchase:b", false, []string{"b", "a"}},
		{"carting after a checkout", "cart:a purchase:a cart:b cart:c", false, []string{"c", "b"}},
		{"carting after a checkout, one time", "cart:a purchase:a cart:b cart:c", true, []string{"c", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(Config{})
			ts := int64(1_700_000_000_000)
			for _, it := range []string{"a", "b", "c"} {
				mustApply(t, e, Event{Type: TypeItem, Item: it, Price: 10, TS: ts})
			}
			for i, f := range strings.Fields(tt.events) {
				typ, item, _ := strings.Cut(f, ":")
				at := ts + int64(i+1)*60_000
				if tt.same {
					at = ts + 60_000
				}
				mustApply(t, e, Event{Type: typ, User: "u1", Item: item, TS: at})
			}
			uid, ok := e.users.Lookup("u1")
			if !ok {
				t.Fatal("user u1 unknown")
			}
			s := e.scratch.get(e.catalog.Len())
			defer e.scratch.put(s)
			e.collectAnchors(s, e.users.User(uid))
			var got []string
			for _, id := range s.anchors {
				got = append(got, e.catalog.Item(id).ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("anchors %v, want %v", got, tt.want)
			}
		})
	}
}
