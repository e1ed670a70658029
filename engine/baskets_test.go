package engine

import (
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
		pairs   map[string]float64 // "a,b": support
	}{
		{"carts together", "cart:a cart:b cart:c", 1,
			map[string]float64{"a,b": 1, "b,c": 1, "a,c": 1}},
		{"a view does not close the basket", "cart:a view:x cart:b", 1,
			map[string]float64{"a,b": 1, "a,x": 0}},
		{"a carted item bought is counted once", "cart:a cart:b purchase:a purchase:b", 1,
			map[string]float64{"a,b": 1}},
		{"the items of one checkout", "cart:a purchase:a purchase:b purchase:c", 1,
			map[string]float64{"a,b": 1, "a,c": 1, "b,c": 1}},
		{"a cart after a checkout is the next order", "cart:a purchase:a cart:b cart:c", 2,
			map[string]float64{"a,b": 0, "a,c": 0, "b,c": 1}},
		{"an item left unbought stays in the old basket", "cart:a cart:b purchase:b cart:c purchase:c", 2,
			map[string]float64{"a,b": 1, "a,c": 0, "b,c": 0}},
		{"the window", "cart:a cart:b@30 cart:c@31", 2,
			map[string]float64{"a,b": 0, "b,c": 1}},
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
			for pair, want := range tt.pairs {
				a, b, _ := strings.Cut(pair, ",")
				if got := e.baskets.Support(e.mustItem(t, a), e.mustItem(t, b)); got != want {
					t.Errorf("support(%s, %s) = %v, want %v", a, b, got, want)
				}
			}
		})
	}
}
