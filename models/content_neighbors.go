package models

import (
	"sync"
	"time"

	"reco/features"
)

// contentNeighbors keeps, per item, its most content-similar items for
// light queries (Query.Light). A profile's cosine with an item is linear
// in the seeds: up to the profile's norm, which normalising the blend
// divides out, it is the sum over the seeds of weight × cos(seed, item).
// So a light query adds each seed's best LightNeighbors cosines, kept
// per item, instead of building a profile and walking the postings of
// its every feature (on the demo shop, a few hundred additions a query,
// with an IDF lookup per feature that rarely hits the cache).
//
// A kept list is used while the content index has not changed since it
// was computed, and for at most maxAge after that: every catalog event
// changes the index, and a shop sending stock updates all the time would
// otherwise compute every list again on every request.
type contentNeighbors struct {
	lists   features.ItemSlots[contentList]
	scratch sync.Pool // *contentScratch for computing a list
	maxAge  time.Duration
}

// contentScratch is what computing one list works in.
type contentScratch struct {
	acc   Scores
	cands []Neighbor
	sims  []float32
}

// contentList is one item's kept neighbours. A published list is never
// changed (compute builds a new one), so requests read it without a lock.
type contentList struct {
	neighbors []Neighbor
	version   uint64 // the content index's version it was computed at
	computed  time.Time
}

// neighbors returns item a's best LightNeighbors content neighbours (a
// itself first: its cosine with itself is 1), computing them if no list
// is kept or the kept one is too old. Call it under the engine's read lock.
func (m *ContentSimilarity) neighbors(a features.ItemID) []Neighbor {
	c := &m.light
	slot := c.lists.Slot(a)
	ver := m.content.Version()
	if slot != nil {
		// The clock is read only when the index changed since.
		if kept := slot.Load(); kept != nil && (kept.version == ver || time.Since(kept.computed) < c.maxAge) {
			return kept.neighbors
		}
	}
	list := &contentList{neighbors: m.computeNeighbors(a, m.cfg.LightNeighbors), version: ver, computed: time.Now()}
	if slot != nil {
		slot.Store(list)
	}
	return list.neighbors
}

// computeNeighbors returns a's best n items by the cosine of their
// idf-weighted content vectors, best first, ties by item id: the same
// features and postings (MaxPostings) a profile of a alone would score.
func (m *ContentSimilarity) computeNeighbors(a features.ItemID, n int) []Neighbor {
	inv := m.content.InvNorm(a)
	if inv == 0 {
		return []Neighbor{}
	}
	sc, _ := m.light.scratch.Get().(*contentScratch)
	if sc == nil {
		sc = new(contentScratch)
	}
	defer m.light.scratch.Put(sc)
	acc := &sc.acc
	acc.Reset(m.content.Len())
	for _, f := range m.content.Features(a) {
		post, idf := m.content.Dim(f)
		if len(post) > m.cfg.MaxPostings {
			continue
		}
		w := float32(idf * idf * float64(inv))
		for _, x := range post {
			acc.Add(x.Item, w*x.InvNorm)
		}
	}
	cands := sc.cands[:0]
	for _, id := range acc.Touched {
		if v := acc.Get(id); v > 0 {
			cands = append(cands, Neighbor{Item: id, Sim: v})
		}
	}
	sc.cands = cands
	list, sims := bestNeighbors(cands, n, sc.sims)
	sc.sims = sims
	return list
}
