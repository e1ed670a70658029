package models

import (
	"slices"
	"sync"

	"reco/features"
)

// Popular scores the currently most popular items by their time-decayed
// popularity, whatever the seeds. It is the cold-start fallback and a
// feature of the blend.
//
// Ranking every item on each request would cost O(catalog); the top list is
// instead rebuilt at most once per RefreshMs of engine time or when the
// caller's state version moved by more than RefreshEvents.
type Popular struct {
	pop     *features.Popularity
	catalog *features.Catalog
	topN    int

	mu      sync.Mutex
	top     []features.ItemID
	topVals []float32 // popularity of top[i] at builtAt, relative to top[0]
	builtAt int64
	builtV  uint64
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

// Top returns the most popular recommendable items at now, best first, and
// their popularity relative to the first, as of state version v (any counter that grows with
// every applied event). The slices are shared and must not be modified.
func (m *Popular) Top(now int64, v uint64) ([]features.ItemID, []float32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.top != nil && now-m.builtAt < popularRefreshMs && now >= m.builtAt && v-m.builtV < popularRefreshEvents {
		return m.top, m.topVals
	}
	n := m.pop.Len()
	all := make([]features.ItemID, 0, n)
	vals := make([]float64, n)
	for i := 0; i < n; i++ {
		id := features.ItemID(i)
		if int(id) >= m.catalog.Len() || !m.catalog.Item(id).Recommendable() {
			continue
		}
		vals[i] = m.pop.At(id, now)
		if vals[i] > 0 {
			all = append(all, id)
		}
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
	m.top, m.topVals, m.builtAt, m.builtV = slices.Clip(all), topVals, now, v
	return m.top, m.topVals
}

// Score implements Scorer. It ignores the seeds.
func (m *Popular) Score(q *Query, out *Scores) {
	top, vals := m.Top(q.Now, q.Version)
	for i, id := range top {
		out.Add(id, vals[i])
	}
}
