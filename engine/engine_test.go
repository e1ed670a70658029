package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func intp(v int) *int    { return &v }
func boolp(v bool) *bool { return &v }

// testShop builds an engine with two departments and a planted pair: every
// shopper who views shoe s1 then views sock k1.
func testShop(t testing.TB) *Engine {
	t.Helper()
	e := New(Config{})
	ts := int64(1_700_000_000_000)
	must := func(ev Event) {
		t.Helper()
		if err := e.Apply(&ev); err != nil {
			t.Fatalf("Apply(%+v): %v", ev, err)
		}
	}
	for i := 1; i <= 5; i++ {
		must(Event{Type: TypeItem, Item: fmt.Sprintf("s%d", i), Title: fmt.Sprintf("Running shoe %d", i),
			Categories: []string{"shoes", "shoes/running"}, Price: float64(50 + 10*i), Stock: intp(20), TS: ts})
		must(Event{Type: TypeItem, Item: fmt.Sprintf("k%d", i), Title: fmt.Sprintf("Sport sock %d", i),
			Categories: []string{"sportswear", "sportswear/socks"}, Price: float64(5 + i), Stock: intp(50), TS: ts})
	}
	must(Event{Type: TypeItem, Item: "gone", Title: "Running shoe sold out", Categories: []string{"shoes", "shoes/running"}, Price: 60, Stock: intp(0), TS: ts})
	must(Event{Type: TypeItem, Item: "off", Title: "Running shoe retired", Categories: []string{"shoes", "shoes/running"}, Price: 60, Active: boolp(false), TS: ts})
	for u := 0; u < 30; u++ {
		user := fmt.Sprintf("u%d", u)
		ts += 1000
		must(Event{Type: "view", User: user, Item: "s1", TS: ts})
		must(Event{Type: "view", User: user, Item: "k1", TS: ts + 1})
		must(Event{Type: "view", User: user, Item: "gone", TS: ts + 2})
		must(Event{Type: "view", User: user, Item: "off", TS: ts + 3})
		if u%3 == 0 {
			must(Event{Type: "view", User: user, Item: "s2", TS: ts + 4})
			must(Event{Type: "purchase", User: user, Item: "k2", TS: ts + 5})
		}
	}
	return e
}

func items(r *Response) []string {
	var out []string
	for _, it := range r.Items {
		out = append(out, it.Item)
	}
	return out
}

func TestSimilarFindsPlantedPair(t *testing.T) {
	e := testShop(t)
	resp, err := e.Recommend(&Request{Slot: SlotSimilar, Item: "s1", N: 5})
	if err != nil {
		t.Fatal(err)
	}
	got := items(resp)
	if len(got) == 0 || got[0] != "k1" {
		t.Fatalf("similar(s1) = %v, want k1 first", got)
	}
	if resp.RequestID == "" || len(resp.Items[0].Reasons) == 0 {
		t.Fatalf("answer lacks request id or reasons: %+v", resp)
	}
}

func TestSlotsNeverReturnForbiddenItems(t *testing.T) {
	e := testShop(t)
	tests := []struct {
		name      string
		req       Request
		forbidden []string
	}{
		{"similar excludes anchor", Request{Slot: SlotSimilar, Item: "s1", N: 20}, []string{"s1", "gone", "off"}},
		{"exclude list", Request{Slot: SlotSimilar, Item: "s1", N: 20, Exclude: []string{"k1", "s2"}}, []string{"k1", "s2"}},
		{"feed excludes history", Request{Slot: SlotFeed, User: "u0", N: 20}, []string{"s1", "k1", "s2", "k2", "gone", "off"}},
		{"cold feed", Request{Slot: SlotFeed, User: "nobody", N: 20}, []string{"gone", "off"}},
		{"cart", Request{Slot: SlotFeed, User: "nobody", N: 20, Cart: []string{"k1"}}, []string{"k1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.Recommend(&tt.req)
			if err != nil {
				t.Fatal(err)
			}
			got := items(resp)
			if len(got) == 0 {
				t.Fatal("empty answer")
			}
			for _, f := range tt.forbidden {
				if slices.Contains(got, f) {
					t.Errorf("answer %v contains forbidden %s", got, f)
				}
			}
		})
	}
}

func TestFilters(t *testing.T) {
	e := testShop(t)
	tests := []struct {
		name string
		req  Request
		ok   func(info ItemInfo) bool
	}{
		{"category", Request{Slot: SlotSimilar, Item: "s1", Category: "sportswear"}, func(i ItemInfo) bool { return i.Categories[0] == "sportswear" }},
		{"leaf category", Request{Slot: SlotFeed, User: "u1", Category: "shoes/running"}, func(i ItemInfo) bool { return i.Categories[1] == "shoes/running" }},
		{"min price", Request{Slot: SlotFeed, User: "u1", MinPrice: 70}, func(i ItemInfo) bool { return i.Price >= 70 }},
		{"max price", Request{Slot: SlotSimilar, Item: "s1", MaxPrice: 8}, func(i ItemInfo) bool { return i.Price <= 8 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.Recommend(&tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Items) == 0 {
				t.Fatal("empty answer")
			}
			for _, it := range resp.Items {
				info, _ := e.ItemInfo(it.Item)
				if !tt.ok(info) {
					t.Errorf("%s breaks the filter: %+v", it.Item, info)
				}
			}
		})
	}
}

func TestFeedReactsToANewEvent(t *testing.T) {
	e := testShop(t)
	before, _ := e.Recommend(&Request{Slot: SlotFeed, User: "newcomer", N: 3})
	if err := e.Apply(&Event{Type: "view", User: "newcomer", Item: "s1", TS: 1_750_000_000_000}); err != nil {
		t.Fatal(err)
	}
	after, _ := e.Recommend(&Request{Slot: SlotFeed, User: "newcomer", N: 3})
	if slices.Equal(items(before), items(after)) {
		t.Fatalf("feed did not change after a view: %v", items(after))
	}
	if after.Items[0].Item != "k1" || after.Items[0].Reasons[0] != "because you viewed Running shoe 1" {
		t.Fatalf("feed after viewing s1 = %v %v, want k1 because of s1", items(after), after.Items[0].Reasons)
	}
}

func TestConsentAndErasure(t *testing.T) {
	e := testShop(t)
	if err := e.Apply(&Event{Type: TypeUser, User: "u0", Consent: boolp(false)}); err != nil {
		t.Fatal(err)
	}
	resp, _ := e.Recommend(&Request{Slot: SlotFeed, User: "u0", N: 5})
	for _, it := range resp.Items {
		if it.Reasons[0] != "popular right now" {
			t.Fatalf("opted-out user got a personal reason: %v", it.Reasons)
		}
	}
	if err := e.Apply(&Event{Type: TypeUserDelete, User: "u1"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.UserInfo("u1"); ok {
		t.Fatal("erased user still visible")
	}
}

func TestDuplicateEventsApplyOnce(t *testing.T) {
	e := testShop(t)
	for i := 0; i < 3; i++ {
		if err := e.Apply(&Event{Type: "purchase", User: "x", Item: "s5", ID: "order-1", TS: 1_750_000_000_000}); err != nil {
			t.Fatal(err)
		}
	}
	info, _ := e.ItemInfo("s5")
	if info.Purchases != 1 {
		t.Fatalf("purchases = %d after one event delivered three times, want 1", info.Purchases)
	}
	if e.Stats().Duplicates.Load() != 2 {
		t.Fatalf("duplicates = %d, want 2", e.Stats().Duplicates.Load())
	}
}

func TestRequestValidation(t *testing.T) {
	e := testShop(t)
	tests := []struct {
		req  Request
		want string
	}{
		{Request{Slot: "nope"}, "unknown slot"},
		{Request{Slot: SlotReminders}, "user"},
		{Request{Slot: SlotUpsell}, "item"},
		{Request{Slot: SlotSimilar}, "item"},
		{Request{Slot: SlotFeed, N: 101}, "n"},
		{Request{Slot: SlotFeed, MinPrice: 10, MaxPrice: 5}, "min_price"},
	}
	for _, tt := range tests {
		_, err := e.Recommend(&tt.req)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Recommend(%+v) = %v, want an error about %q", tt.req, err, tt.want)
		}
	}
}

// restored returns the engine a snapshot of e loads into (a round trip
// through a test directory), failing the test on any error.
func restored(t testing.TB, e *Engine) *Engine {
	t.Helper()
	dir := t.TempDir()
	if _, err := e.SaveSnapshot(dir); err != nil {
		t.Fatal(err)
	}
	r, _, _, err := LoadSnapshot(dir, Config{})
	if err != nil || r == nil {
		t.Fatalf("loading the snapshot: %v", err)
	}
	return r
}

// mustApply applies ev to e, failing the test if it is rejected.
func mustApply(t testing.TB, e *Engine, ev Event) {
	t.Helper()
	if err := e.Apply(&ev); err != nil {
		t.Fatalf("applying %+v: %v", ev, err)
	}
}
