package models

import (
	"fmt"
	"slices"
	"sync"
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
	var state sync.RWMutex
	m.Refresh(0, uint64(stale), state.RLocker())
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

// countingLocker counts how often the state lock was taken, and fails
// the test if it is taken while held (a slice must release it).
type countingLocker struct {
	t      *testing.T
	held   bool
	passes int
}

func (l *countingLocker) Lock() {
	if l.held {
		l.t.Fatal("state lock taken twice")
	}
	l.held = true
	l.passes++
}

func (l *countingLocker) Unlock() { l.held = false }

// popularShop returns a catalog of n listed items with popularity counts
// in many ties.
func popularShop(n int) (*features.Catalog, *features.Popularity) {
	cat := features.NewCatalog()
	pop := features.NewPopularity(7 * 86_400_000)
	for i := 0; i < n; i++ {
		id, _ := cat.Ensure(fmt.Sprintf("i%d", i), 0)
		cat.Item(id).Listed = true
		pop.Add(id, float64(1+i%97), int64(i))
	}
	return cat, pop
}

// TestPopularRefreshInSlicesEqualsRebuild: Refresh reads the catalog a
// slice at a time under the state lock; the list must be the one a
// request would have built from the whole catalog at once.
func TestPopularRefreshInSlicesEqualsRebuild(t *testing.T) {
	const items = 3*popularSlice + 5
	cat, pop := popularShop(items)
	sliced, whole := NewPopular(pop, cat, 300), NewPopular(pop, cat, 300)
	sliced.SetBackground(true)
	now, v := int64(items+10), uint64(5000)
	state := &countingLocker{t: t}
	sliced.Refresh(now, v, state)
	if state.passes != 1+4 { // Len, then four slices
		t.Fatalf("state lock taken %d times, want 5 (one per slice and one for the length)", state.passes)
	}
	got, gotVals := sliced.Top(now, v)
	want, wantVals := whole.Top(now, v)
	if len(got) != 300 || !slices.Equal(got, want) || !slices.Equal(gotVals, wantVals) {
		t.Fatalf("sliced refresh: %d items %v..., want %v...", len(got), got[:min(5, len(got))], want[:5])
	}
	if sliced.Refresh(now, v, state); state.passes != 5 {
		t.Fatal("a fresh list was rebuilt")
	}
}

// BenchmarkPopularRefresh rebuilds the top list of a 100,000-item catalog.
func BenchmarkPopularRefresh(b *testing.B) {
	cat, pop := popularShop(100_000)
	m := NewPopular(pop, cat, 500)
	var state sync.RWMutex
	for i := 0; i < b.N; i++ {
		m.Refresh(int64(200_000+i*2000), uint64(i*2000), state.RLocker())
	}
}
