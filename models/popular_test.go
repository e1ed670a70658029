package models

import (
	"testing"

	"reco/features"
)

// TestPopularSurvivesALongQuietSpell: after months without events one
// fresh click must not wipe out the order of everything else.
func TestPopularSurvivesALongQuietSpell(t *testing.T) {
	cat := features.NewCatalog()
	pop := features.NewPopularity(7 * 86_400_000)
	for i, n := range []float64{50, 30, 10} {
		id, _ := cat.Ensure(string(rune('a'+i)), 0)
		pop.Add(id, n, 0)
	}
	d, _ := cat.Ensure("d", 0)
	later := int64(3 * 365 * 86_400_000)
	pop.Add(d, 1, later)
	m := NewPopular(pop, cat, 10)
	var s Scores
	s.Reset(cat.Len())
	m.Score(&Query{Now: later, Version: 1}, &s)
	if len(s.Touched) != 4 {
		t.Fatalf("%d items scored, want all 4", len(s.Touched))
	}
	if !(s.Get(d) > s.Get(0) && s.Get(0) > s.Get(1) && s.Get(1) > s.Get(2) && s.Get(2) > 0) {
		t.Fatalf("order lost: d %v a %v b %v c %v", s.Get(d), s.Get(0), s.Get(1), s.Get(2))
	}
}

// TestPopularRebuildsOnlyInTheBackground: once a background loop owns the
// list, a request never rebuilds it (it would sort the catalog on the
// request path); Refresh does, and keeps the top N in order.
func TestPopularRebuildsOnlyInTheBackground(t *testing.T) {
	cat := features.NewCatalog()
	pop := features.NewPopularity(7 * 86_400_000)
	ids := make([]features.ItemID, 50)
	for i := range ids {
		ids[i], _ = cat.Ensure("i"+string(rune('A'+i)), 0)
		pop.Add(ids[i], float64(1+i), 0) // the last is the most popular
	}
	m := NewPopular(pop, cat, 10)
	top, _ := m.Top(0, 0)
	if len(top) != 10 || top[0] != ids[49] || top[9] != ids[40] {
		t.Fatalf("top = %v, want the 10 most popular, best first", top)
	}
	m.SetBackground(true)
	pop.Add(ids[0], 1000, 0) // now the most popular
	stale := popularRefreshEvents + 1
	if top, _ := m.Top(0, uint64(stale)); top[0] != ids[49] {
		t.Fatalf("a request rebuilt the list in background mode: top[0] = %v", top[0])
	}
	m.Refresh(0, uint64(stale))
	if top, _ := m.Top(0, uint64(stale)); top[0] != ids[0] || len(top) != 10 {
		t.Fatalf("after Refresh top = %v, want %v first", top, ids[0])
	}
	m.SetBackground(false)
	pop.Add(ids[1], 5000, 0)
	if top, _ := m.Top(0, uint64(2*stale)); top[0] != ids[1] {
		t.Fatalf("without a background loop a stale list must be rebuilt: top[0] = %v", top[0])
	}
}

func TestPopularAddScaledEqualsNormalizedScore(t *testing.T) {
	cat := features.NewCatalog()
	pop := features.NewPopularity(7 * 86_400_000)
	for i := 0; i < 30; i++ {
		id, _ := cat.Ensure("i"+string(rune('A'+i)), 0)
		pop.Add(id, float64(1+i*i%17), int64(i)*3_600_000)
	}
	m := NewPopular(pop, cat, 20)
	q := &Query{Now: 40 * 3_600_000, Version: 1}
	for _, w := range []float64{1, 0.3, 1e-3} {
		var viaModel, scaled, direct Scores
		viaModel.Reset(cat.Len())
		m.Score(q, &viaModel)
		direct.Reset(cat.Len())
		direct.Add(0, 0.5) // something already in the answer
		scaled.Reset(cat.Len())
		scaled.Add(0, 0.5)
		AddNormalized(&direct, &viaModel, w)
		m.AddScaled(q, &scaled, w)
		for id := features.ItemID(0); id < features.ItemID(cat.Len()); id++ {
			if scaled.Get(id) != direct.Get(id) {
				t.Fatalf("weight %v item %d: AddScaled %v, AddNormalized %v", w, id, scaled.Get(id), direct.Get(id))
			}
		}
		if len(scaled.Touched) != len(direct.Touched) {
			t.Fatalf("weight %v: %d touched, want %d", w, len(scaled.Touched), len(direct.Touched))
		}
	}
}
