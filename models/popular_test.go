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
