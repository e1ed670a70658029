package models

import (
	"slices"
	"sync"
	"sync/atomic"

	"reco/features"
)

// Popular scores the currently most popular items by their time-decayed
// popularity, whatever the seeds. It is the cold-start fallback and a
// feature of the blend.
//
// Ranking every item on each request would cost O(catalog); the top list is
// instead rebuilt when it is more than popularRefreshMs of engine time or
// popularRefreshEvents events old. While the engine runs its background
// loop (SetBackground), only Refresh rebuilds it and requests read the
// current list; otherwise (benchmarks, tests) a request that finds it stale
// rebuilds it.
type Popular struct {
	pop     *features.Popularity
	catalog *features.Catalog
	topN    int

	mu         sync.Mutex // serialises rebuilds
	list       atomic.Pointer[popularList]
	background atomic.Bool
}

// popularList is one built top list; never modified once published.
type popularList struct {
	top     []features.ItemID
	vals    []float32 // popularity of top[i] at builtAt, relative to top[0]
	builtAt int64
	builtV  uint64
}

func (l *popularList) stale(now int64, v uint64) bool {
	return l == nil || now-l.builtAt >= popularRefreshMs || now < l.builtAt || v-l.builtV >= popularRefreshEvents
}

// popularRefreshMs is how stale (engine time) the top list may get.
const popularRefreshMs = 1000

// popularRefreshEvents is how many applied events the top list may lag.
const popularRefreshEvents = 1000

// NewPopular returns a scorer keeping the topN most popular items.
func NewPopular(pop *features.Popularity, catalog *features.Catalog, topN int) *Popular {
	if topN <= 0 {
		topN = 500
	}
	return &Popular{pop: pop, catalog: catalog, topN: topN}
}

// Name implements Scorer.
func (m *Popular) Name() string { return "popular" }

// SetBackground says whether a background loop calls Refresh: then
// requests never rebuild the list (except the very first).
func (m *Popular) SetBackground(on bool) { m.background.Store(on) }

// Refresh rebuilds the top list if it is stale at engine time now and
// state version v. state guards the catalog and the popularity counts
// (the engine's read lock, as a Locker): Refresh holds it for
// popularSlice items at a time and not while it selects and sorts, so
// that ingest, and the requests queued behind it, wait ~0.1 ms for it
// rather than the 2.6 ms a whole 100,000-item catalog takes
// (BenchmarkPopularRefresh).
func (m *Popular) Refresh(now int64, v uint64, state sync.Locker) {
	if !m.list.Load().stale(now, v) {
		return
	}
	state.Lock()
	n := m.pop.Len()
	state.Unlock()
	vals := make([]float64, n)
	all := make([]features.ItemID, 0, n)
	for from := 0; from < n; from += popularSlice {
		state.Lock()
		all = m.collect(from, min(from+popularSlice, n), now, vals, all)
		state.Unlock()
	}
	l := m.build(all, vals, now, v)
	m.mu.Lock()
	if m.list.Load().stale(now, v) { // else a request built a newer one
		m.list.Store(l)
	}
	m.mu.Unlock()
}

// popularSlice is how many items Refresh reads per hold of the state lock.
const popularSlice = 4096

// Top returns the most popular recommendable items at now, best first, and
// their popularity relative to the first, as of state version v (any
// counter that grows with every applied event). The slices are shared and
// must not be modified. Call it under the state's read lock.
func (m *Popular) Top(now int64, v uint64) ([]features.ItemID, []float32) {
	l := m.list.Load()
	if l == nil || (!m.background.Load() && l.stale(now, v)) {
		l = m.rebuild(now, v)
	}
	return l.top, l.vals
}

// rebuild builds and publishes the list at once, for a request (which
// holds the state's read lock already).
func (m *Popular) rebuild(now int64, v uint64) *popularList {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l := m.list.Load(); !l.stale(now, v) {
		return l // another caller just rebuilt it
	}
	n := m.pop.Len()
	vals := make([]float64, n)
	all := m.collect(0, n, now, vals, make([]features.ItemID, 0, n))
	l := m.build(all, vals, now, v)
	m.list.Store(l)
	return l
}

// collect stores the popularity at now of items [from, to) in vals and
// appends the recommendable ones with a positive popularity to all.
func (m *Popular) collect(from, to int, now int64, vals []float64, all []features.ItemID) []features.ItemID {
	scale := m.pop.Scale(now)
	for i := from; i < to; i++ {
		id := features.ItemID(i)
		if int(id) >= m.catalog.Len() || !m.catalog.Item(id).Recommendable() {
			continue
		}
		vals[i] = m.pop.AtScale(id, scale)
		if vals[i] > 0 {
			all = append(all, id)
		}
	}
	return all
}

// build keeps the topN of all by vals, best first.
func (m *Popular) build(all []features.ItemID, vals []float64, now int64, v uint64) *popularList {
	if len(all) > m.topN {
		// Select before sorting: a large catalog costs O(n), not O(n log n).
		cand := make([]float64, len(all))
		for i, id := range all {
			cand[i] = vals[id]
		}
		cut := features.SelectNth(cand, len(cand)-m.topN)
		kept := all[:0]
		for _, id := range all {
			if vals[id] >= cut {
				kept = append(kept, id)
			}
		}
		all = kept
	}
	slices.SortFunc(all, func(a, b features.ItemID) int {
		switch {
		case vals[a] > vals[b]:
			return -1
		case vals[a] < vals[b]:
			return 1
		}
		return int(a) - int(b)
	})
	if len(all) > m.topN {
		all = all[:m.topN]
	}
	// Relative to the best: after a long quiet spell the decayed values
	// are tiny (2^-100 after 100 half-lives) and would vanish in float32.
	// A rank-based floor keeps the order where even relative values
	// vanish (one fresh click after months of quiet).
	topVals := make([]float32, len(all))
	for i, id := range all {
		floor := 1e-6 * float64(len(all)-i) / float64(len(all))
		topVals[i] = float32(max(vals[id]/vals[all[0]], floor))
	}
	return &popularList{top: slices.Clip(all), vals: topVals, builtAt: now, builtV: v}
}

// Score implements Scorer. It ignores the seeds.
func (m *Popular) Score(q *Query, out *Scores) { m.AddScaled(q, out, 1) }

// AddScaled adds weight × each top item's popularity to out. The list is
// already relative to its first item (1), so this is AddNormalized of
// Score's output without scoring into a scratch Scores first: popularity
// fills every answer at a tiny weight, and the copy cost as much as the
// models that matter.
func (m *Popular) AddScaled(q *Query, out *Scores, weight float64) {
	if weight == 0 {
		return
	}
	top, vals := m.Top(q.Now, q.Version)
	out.AddScaled(top, vals, float32(weight))
}
