package engine

import (
	"sync"

	"reco/features"
	"reco/models"
)

// itemSet maps items to small ints for one request without allocating:
// entries are valid only while their stamp equals the set's generation, so
// clearing is one increment instead of a pass over the catalog.
type itemSet struct {
	stamp []uint32
	val   []int32
	gen   uint32
}

func (s *itemSet) reset(n int) {
	if len(s.stamp) < n {
		s.stamp = append(s.stamp, make([]uint32, n-len(s.stamp))...)
		s.val = append(s.val, make([]int32, n-len(s.val))...)
	}
	s.gen++
	if s.gen == 0 { // wrapped: old stamps could alias the new generation
		clear(s.stamp)
		s.gen = 1
	}
}

func (s *itemSet) set(id features.ItemID, v int32) {
	if int(id) < len(s.stamp) {
		s.stamp[id], s.val[id] = s.gen, v
	}
}

func (s *itemSet) get(id features.ItemID) (int32, bool) {
	if int(id) < len(s.stamp) && s.stamp[id] == s.gen {
		return s.val[id], true
	}
	return 0, false
}

func (s *itemSet) unset(id features.ItemID) {
	if int(id) < len(s.stamp) {
		s.stamp[id] = 0
	}
}

func (s *itemSet) has(id features.ItemID) bool {
	_, ok := s.get(id)
	return ok
}

// scored is a candidate with its blended score.
type scored struct {
	item  features.ItemID
	score float32
}

// scratch is the per-request working memory, pooled so that a request
// allocates only its response.
type scratch struct {
	query     models.Query
	kinds     []features.Kind // per seed: the kind of its strongest interaction
	model     models.Scores
	final     models.Scores
	exclude   itemSet
	seedPos   itemSet
	best      []scored
	kept      []scored // selectTop's category cap
	keptLeafs []uint64 // the leaf category (Item.LeafKey) of each kept item
	overflow  []scored

	slot      string
	override  *models.BlendWeights // the request's blend, replacing the slot's
	anchor    features.ItemID      // the request's item, when hasAnchor
	hasAnchor bool
	cart      []features.ItemID
	anchors   []features.ItemID // what cross-sell and bundles start from
	stage     funnelStage       // feed: the user's funnel stage (funnel.go)
	explored  []features.ItemID // feed: new arrivals given an exploration slot
	due       []features.ItemID // feed, reminders: replenishment items due
	abandoned []features.ItemID // reminders: carts left without a purchase

	sentences []sentence // reasons built in this answer (reasons.go)
	// The feed's reason seeds by what they can score (reason_seed.go),
	// ordered at the first reason that needs them.
	reasonOrder        []reasonSeed
	reasonSeedsOrdered bool
	anchorLeafs        leafSet // anchorLeafs' result
	interest           leafSet // feed: leaf categories of the recent seeds (explore)
}

// leafSet is a handful of leaf categories. A linear scan beats a map at
// these sizes, and living in the scratch it allocates nothing.
type leafSet []string

func (l leafSet) has(c string) bool {
	for _, x := range l {
		if x == c {
			return true
		}
	}
	return false
}

// add returns l with c in it; "" (no category) is never added.
func (l leafSet) add(c string) leafSet {
	if c == "" || l.has(c) {
		return l
	}
	return append(l, c)
}

type scratchPool struct{ p sync.Pool }

func (p *scratchPool) get(n int) *scratch {
	s, _ := p.p.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	s.query.Seeds = s.query.Seeds[:0]
	s.kinds = s.kinds[:0]
	s.best = s.best[:0]
	s.cart, s.anchors = s.cart[:0], s.anchors[:0]
	s.explored, s.due, s.abandoned = s.explored[:0], s.due[:0], s.abandoned[:0]
	s.sentences = s.sentences[:0]
	s.reasonSeedsOrdered = false
	s.hasAnchor = false
	s.stage = stageBrowsing
	s.final.Reset(n)
	s.exclude.reset(n)
	s.seedPos.reset(n)
	return s
}

func (p *scratchPool) put(s *scratch) { p.p.Put(s) }
