package bench

import (
	"context"
	"fmt"
	"testing"

	"reco/engine"
)

func TestSplitTemporal(t *testing.T) {
	ds := &Dataset{Name: "t", HasRating: true}
	add := func(u, i string, r float64, ts int64) {
		ds.Rows = append(ds.Rows, Row{User: u, Item: i, Rating: r, TS: ts, Type: "rate"})
	}
	// u1: 10 positives and 2 negatives; the last 2 positives by time are test.
	for i := 0; i < 10; i++ {
		add("u1", fmt.Sprintf("p%d", i), 4, int64(100-i)) // file order is reverse time
	}
	add("u1", "neg1", 2, 1000)
	add("u1", "neg2", 1, 1001)
	// u2: 4 positives: too few, no test set.
	for i := 0; i < 4; i++ {
		add("u2", fmt.Sprintf("p%d", i), 5, int64(i))
	}
	// u3: 5 positives at the same time: ties by file order, the last one is test.
	for i := 0; i < 5; i++ {
		add("u3", fmt.Sprintf("t%d", i), 4, 50)
	}
	sp, err := SplitTemporal(ds)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"u1": {"p0", "p1"}, "u3": {"t4"}}
	if len(sp.Test) != len(want) {
		t.Fatalf("test users %v, want u1 and u3", sp.TestOrder)
	}
	for u, items := range want {
		if len(sp.Test[u]) != len(items) {
			t.Fatalf("test set of %s = %v, want %v", u, sp.Test[u], items)
		}
		for _, it := range items {
			if _, ok := sp.Test[u][it]; !ok {
				t.Fatalf("test set of %s = %v, want %v", u, sp.Test[u], items)
			}
		}
	}
	if len(sp.Train) != len(ds.Rows)-3 {
		t.Fatalf("train has %d rows, want %d", len(sp.Train), len(ds.Rows)-3)
	}
	for i := 1; i < len(sp.Train); i++ {
		if sp.Train[i].TS < sp.Train[i-1].TS {
			t.Fatalf("train not in time order at %d", i)
		}
	}
	if sp.Positives != 15 { // p0..p9 (u2's p0..p3 are the same items) and t0..t4
		t.Fatalf("positives = %d, want 15", sp.Positives)
	}
}

// TestNoTestPositiveIsReplayed plants, for every user, a last positive on
// an item nobody else touches. If the replay leaked any test positive into
// the engine, that item would exist there.
func TestNoTestPositiveIsReplayed(t *testing.T) {
	ds := &Dataset{Name: "leak", HasRating: true}
	for u := 0; u < 40; u++ {
		user := fmt.Sprintf("u%d", u)
		for i := 0; i < 9; i++ {
			ds.Rows = append(ds.Rows, Row{User: user, Item: fmt.Sprintf("shared%d", (u+i)%15), Rating: 4, TS: int64(1000 + i), Type: "rate"})
		}
		ds.Rows = append(ds.Rows, Row{User: user, Item: "secret-" + user, Rating: 5, TS: 5000, Type: "rate"})
	}
	sp, err := SplitTemporal(ds)
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{})
	if _, err := replay(context.Background(), eng, ds, sp, nil); err != nil {
		t.Fatal(err)
	}
	for u := 0; u < 40; u++ {
		user := fmt.Sprintf("u%d", u)
		if _, ok := sp.Test[user]["secret-"+user]; !ok {
			t.Fatalf("secret item of %s is not in its test set %v", user, sp.Test[user])
		}
		if _, ok := eng.ItemInfo("secret-" + user); ok {
			t.Fatalf("test positive secret-%s was replayed into the engine", user)
		}
		info, ok := eng.UserInfo(user)
		if !ok || info.HistoryLength != 9-1 {
			// 10 positives → floor(2) held out: the secret and the last shared one.
			t.Fatalf("user %s history length %d, want 8", user, info.HistoryLength)
		}
	}
}

func TestSplitLOO(t *testing.T) {
	ds := &Dataset{Baskets: [][]string{{"a", "b", "c"}, {"d"}, {"a", "e"}}}
	sp, err := SplitLOO(ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.TestOrder) != 2 {
		t.Fatalf("%d test baskets, want 2 (single-item baskets have no query)", len(sp.TestOrder))
	}
	for _, key := range sp.TestOrder {
		for hidden := range sp.Test[key] {
			for _, c := range sp.Cart[key] {
				if c == hidden {
					t.Fatalf("hidden item %s is in the cart %v", hidden, sp.Cart[key])
				}
			}
			for _, r := range sp.Train {
				if r.User == key && r.Item == hidden {
					t.Fatalf("hidden item %s of %s replayed", hidden, key)
				}
			}
		}
	}
	again, _ := SplitLOO(ds)
	for _, key := range sp.TestOrder {
		for h := range sp.Test[key] {
			if _, ok := again.Test[key][h]; !ok {
				t.Fatal("loo split is not deterministic")
			}
		}
	}
	if sp.Positives != 5 {
		t.Fatalf("positives = %d, want 5", sp.Positives)
	}
}
