package features

import "sync/atomic"

// Baskets mines which items are carted or bought together. A basket is a
// user's run of cart and purchase events with gaps shorter than the basket
// window; every item entering a basket is paired once with each item
// already in it. From these counts come the association-rule figures
// cross-sell and bundles rank by: support (baskets holding both),
// confidence P(b|a) and lift P(b|a)/P(b).
//
// Counts are plain integers, not decayed: support thresholds then mean
// what they say ("bought together in at least 3 baskets"). Rows are
// bounded like CoOccurrence's.
type Baskets struct {
	pairs *CoOccurrence // decay off: weights are counts
	total float64       // baskets seen
	// version is bumped by every change. Atomic: the engine's applier
	// starts baskets (under its lock) while the pair worker adds to them
	// (under the co-occurrence lock).
	version atomic.Uint64
}

// Version changes whenever anything in b does: what is derived from the
// counts is current while it stays the same.
func (b *Baskets) Version() uint64 { return b.version.Load() }

// NewBaskets returns an empty miner keeping at most maxRow partners per item.
func NewBaskets(maxRow int) *Baskets {
	return &Baskets{pairs: NewCoOccurrence(maxRow, 0)}
}

// StartBasket counts a new basket.
func (b *Baskets) StartBasket() { b.total++; b.version.Add(1) }

// AddItem counts a basket holding a: item a entered the current basket.
// The engine then calls AddPair(a, o) for each item o already in it.
func (b *Baskets) AddItem(a ItemID) { b.pairs.AddOccurrence(a, 1); b.version.Add(1) }

// AddPair counts a basket holding both a and c.
func (b *Baskets) AddPair(a, c ItemID) { b.pairs.AddPair(a, c, 1); b.version.Add(1) }

// Total returns the number of baskets seen.
func (b *Baskets) Total() float64 { return b.total }

// Support returns the number of baskets holding both a and c.
func (b *Baskets) Support(a, c ItemID) float64 { return float64(b.pairs.Pair(a, c)) }

// Count returns the number of baskets holding a.
func (b *Baskets) Count(a ItemID) float64 { return float64(b.pairs.Occurrence(a)) }

// Confidence returns P(c | a): the share of baskets with a that hold c.
func (b *Baskets) Confidence(a, c ItemID) float64 {
	n := b.Count(a)
	if n == 0 {
		return 0
	}
	return b.Support(a, c) / n
}

// Lift returns P(c | a) / P(c): how much more likely c is in a basket
// with a than in any basket. Above 1, a and c go together.
func (b *Baskets) Lift(a, c ItemID) float64 {
	nc := b.Count(c)
	if nc == 0 || b.total == 0 {
		return 0
	}
	return b.Confidence(a, c) / (nc / b.total)
}

// EachPartner calls fn for every item ever in a basket with a, with the
// support of the pair.
func (b *Baskets) EachPartner(a ItemID, fn func(c ItemID, support float64)) {
	b.pairs.EachPartner(a, func(c ItemID, w float32) { fn(c, float64(w)) })
}

// Forget removes item a (deleted from the catalog).
func (b *Baskets) Forget(a ItemID) { b.pairs.Forget(a); b.version.Add(1) }
