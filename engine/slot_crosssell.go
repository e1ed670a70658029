package engine

import (
	"time"

	"reco/features"
	"reco/models"
)

// crossSell scores complements of the anchors (the item, the cart, or the
// user's current basket) by added value: P(c | anchor) − P(c), the
// association-rule confidence minus the item's base rate. Unlike raw
// co-purchase counts it does not return the best-sellers, which sit in
// every basket; unlike lift alone it does not chase items bought twice.
// Items from the anchor's own category count for less (a second phone is
// not a complement of a phone), items the user bought are excluded unless
// they are replenished regularly, and when basket data is thin the
// co-view neighbours from other categories fill in.
func (e *Engine) crossSell(s *scratch, u *features.User) {
	w := e.weights(s, e.cfg.CrossSell)
	e.collectAnchors(s, u)
	if u != nil {
		e.excludeBought(s, u)
	}
	e.complements(s)
	models.AddNormalized(&s.final, &s.model, w.Baskets)
	// Co-views from other categories: by default a weak fallback below
	// every basket complement.
	s.query.Seeds = s.query.Seeds[:0]
	for _, a := range s.anchors {
		s.query.Seeds = append(s.query.Seeds, models.Seed{Item: a, Weight: 1})
		s.kinds = append(s.kinds, features.Cart)
	}
	if len(s.query.Seeds) > 0 && w.ItemKNN > 0 {
		s.model.Reset(e.catalog.Len())
		e.itemKNN.Score(&s.query, &s.model)
		leafs := e.anchorLeafs(s)
		for _, id := range s.model.Touched {
			if leafs.has(e.catalog.Item(id).LeafCategory()) {
				s.model.Scale(id, 0)
			}
		}
		models.AddNormalized(&s.final, &s.model, w.ItemKNN)
	}
	e.popular.AddScaled(&s.query, &s.final, max(w.Popular, popularFloor))
}

// complements scores into s.model the basket complements of s.anchors by
// added value P(c|anchor) − P(c), summed over the anchors; partners from
// an anchor's own leaf category count CrossSellSameCategory as much.
func (e *Engine) complements(s *scratch) {
	s.model.Reset(e.catalog.Len())
	if e.baskets.Total() == 0 {
		return
	}
	var now time.Time // read only if a kept list is out of date
	for _, a := range s.anchors {
		l := e.complementsOf(a, &now)
		for i, c := range l.items {
			s.model.Add(c, l.vals[i])
		}
	}
}

// complementList is an anchor's complements as complements adds them,
// kept per item (complementCache): computing them reads the anchor's
// whole basket row with each partner's count and category — for the
// demo's stream, where shoppers cart and buy all the time, 8 % of the
// server's CPU in the feed's funnel stage (docs/performance.md).
type complementList struct {
	items    []features.ItemID
	vals     []float32
	baskets  uint64    // Baskets.Version they were computed at
	catalog  uint64    // catalogVersion they were computed at (categories weigh in)
	computed time.Time // when
}

// complementCache holds each anchor's complementList.
type complementCache = features.ItemSlots[complementList]

// complementsOf returns anchor a's complements: the kept list while
// neither the baskets nor the catalog changed since it was computed, or
// while it is younger than Config.ComplementMaxAge; computed again
// otherwise. Under a busy stream the baskets change with every cart, and
// a list up to ComplementMaxAge old (100 ms) stands in for the current
// one, as item-kNN's neighbour lists do for theirs.
//
// *now is the time to judge ages by; a zero one is read from the clock
// when first needed, which a request whose lists are all current never
// does.
func (e *Engine) complementsOf(a features.ItemID, now *time.Time) *complementList {
	bv, cv := e.baskets.Version(), e.catalogVersion.Load()
	slot := e.complementLists.Slot(a)
	var kept *complementList
	if slot != nil {
		kept = slot.Load()
	}
	if kept != nil && kept.baskets == bv && kept.catalog == cv {
		return kept
	}
	if now.IsZero() {
		*now = time.Now()
	}
	if kept != nil && now.Sub(kept.computed) < e.cfg.ComplementMaxAge {
		return kept
	}
	l := &complementList{baskets: bv, catalog: cv, computed: *now}
	total := e.baskets.Total()
	na := e.baskets.Count(a)
	if na > 0 && total > 0 {
		leaf := e.catalog.Item(a).LeafCategory()
		e.baskets.EachPartner(a, func(c features.ItemID, support float64) {
			av := support/na - e.baskets.Count(c)/total
			if av <= 0 || support < e.cfg.CrossSellMinSupport {
				return
			}
			if leaf != "" && e.catalog.Item(c).LeafCategory() == leaf {
				av *= e.cfg.CrossSellSameCategory
			}
			l.items = append(l.items, c)
			l.vals = append(l.vals, float32(av))
		})
	}
	if slot != nil {
		slot.Store(l) // concurrent requests may both compute: each stores a whole list
	}
	return l
}

// collectAnchors fills s.anchors with what a basket-based slot starts
// from: the request's item and cart, or else the user's current basket,
// or else their most recent items.
func (e *Engine) collectAnchors(s *scratch, u *features.User) {
	if s.hasAnchor {
		s.anchors = append(s.anchors, s.anchor)
	}
	s.anchors = append(s.anchors, s.cart...)
	if len(s.anchors) > 0 || u == nil {
		return
	}
	carted := false
	u.Recent(0, func(x features.Interaction) bool {
		if x.TS >= u.BasketStart && x.Kind.InBasket() {
			if endsBasket(x.Kind, &carted) {
				return false
			}
			if !containsItem(s.anchors, x.Item) {
				s.anchors = append(s.anchors, x.Item)
				s.exclude.set(x.Item, 1)
			}
		}
		return len(s.anchors) < maxAnchors
	})
	if len(s.anchors) > 0 {
		return
	}
	u.Recent(maxAnchors, func(x features.Interaction) bool {
		if !containsItem(s.anchors, x.Item) {
			s.anchors = append(s.anchors, x.Item)
			s.exclude.set(x.Item, 1)
		}
		return true
	})
}

// maxAnchors bounds how many items a basket-based slot starts from.
const maxAnchors = 8

// excludeBought excludes what the user bought, except items they bought
// at least twice (consumables: see replenishment).
func (e *Engine) excludeBought(s *scratch, u *features.User) {
	var buf [16]purchased
	for _, p := range appendPurchased(u, buf[:0]) {
		if p.n < 2 {
			s.exclude.set(p.item, 1)
		}
	}
}

// anchorLeafs returns the leaf categories of the request's anchors (in the
// scratch: valid until the next call).
func (e *Engine) anchorLeafs(s *scratch) leafSet {
	s.anchorLeafs = s.anchorLeafs[:0]
	for _, a := range s.anchors {
		s.anchorLeafs = s.anchorLeafs.add(e.catalog.Item(a).LeafCategory())
	}
	return s.anchorLeafs
}

func containsItem(s []features.ItemID, id features.ItemID) bool {
	for _, x := range s {
		if x == id {
			return true
		}
	}
	return false
}
