package models

import (
	"slices"
	"sync"
	"sync/atomic"
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
	lists   []atomic.Pointer[contentList] // by item; grown under the engine's write lock
	scratch sync.Pool                     // *Scores for computing a list
	maxAge  time.Duration
}

// contentList is one item's kept neighbours. A published list is never
// changed (compute builds a new one), so requests read it without a lock.
type contentList struct {
	neighbors []Neighbor
	version   uint64 // the content index's version it was computed at
	computed  time.Time
}

// grow makes room for n items. Call it under the engine's write lock.
func (c *contentNeighbors) grow(n int) {
	if n <= len(c.lists) {
		return
	}
	bigger := make([]atomic.Pointer[contentList], max(n, 2*len(c.lists)))
	for i := range c.lists {
		bigger[i].Store(c.lists[i].Load())
	}
	c.lists = bigger
}

// neighbors returns item a's best LightNeighbors content neighbours (a
// itself first: its cosine with itself is 1), computing them if no list
// is kept or the kept one is too old. Call it under the engine's read lock.
func (m *ContentSimilarity) neighbors(a features.ItemID) []Neighbor {
	c := &m.light
	var slot *atomic.Pointer[contentList]
	if int(a) < len(c.lists) {
		slot = &c.lists[a]
	}
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
	acc, _ := m.light.scratch.Get().(*Scores)
	if acc == nil {
		acc = new(Scores)
	}
	defer m.light.scratch.Put(acc)
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
	// Only the best n are sorted: quickselect finds the cut first, as
	// item-kNN does (a broad feature's postings can be thousands long).
	cut := float32(0)
	if len(acc.Touched) > n {
		sims := make([]float32, 0, len(acc.Touched))
		for _, id := range acc.Touched {
			sims = append(sims, acc.Get(id))
		}
		cut = features.SelectNth(sims, len(sims)-n)
	}
	list := make([]Neighbor, 0, min(len(acc.Touched), 2*n))
	for _, id := range acc.Touched {
		if v := acc.Get(id); v > 0 && v >= cut { // ties at the cut are settled by the sort
			list = append(list, Neighbor{Item: id, Sim: v})
		}
	}
	slices.SortFunc(list, func(x, y Neighbor) int {
		switch {
		case x.Sim > y.Sim:
			return -1
		case x.Sim < y.Sim:
			return 1
		}
		return int(x.Item) - int(y.Item)
	})
	return slices.Clip(list[:min(n, len(list))])
}
