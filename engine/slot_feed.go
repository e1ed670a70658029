package engine

import (
	"math"

	"reco/features"
)

// feed is the personal news feed: collaborative, content and popularity
// candidates blended, then adjusted for what a shop cares about beyond
// relevance: trust (ratings), engagement (smoothed click-through),
// freshness (new items get a lift) and fatigue (items the user keeps
// ignoring sink). Diversity is applied when selecting (category caps) and
// new arrivals get an exploration slot (explore).
func (e *Engine) feed(s *scratch, u *features.User) {
	e.userSeeds(s, u)
	e.blend(s, e.weights(s, e.cfg.Feed))
	if u != nil {
		e.applyFunnel(s, u)
		// Consumables due again go to the top, though already bought.
		s.due = e.dueItems(u, s.query.Now, s.due)
		if len(s.due) > 0 { // Max is a pass over every candidate
			top := s.final.Max()
			for _, id := range s.due {
				s.exclude.unset(id)
				s.final.Add(id, top+1-s.final.Get(id))
			}
		}
	}
	// The per-item rules (feedFactor) are applied by selectTop, only to the
	// candidates that can still make the answer.
	if u != nil {
		// Fatigue from the user's short list of shown items, not a search of
		// it per candidate.
		for _, sh := range u.Shown {
			if sh.Times > 2 {
				// Shown three times without a click: halve per further showing.
				s.final.Scale(sh.Item, float32(math.Exp2(-float64(sh.Times-2))))
			}
		}
	}
}

// feedFactor is what the feed multiplies an item's blended score by: 0
// for items with bad ratings (lowTrust: never shown), else engagement ×
// freshness — at most feedFactorBound.
func (e *Engine) feedFactor(it *features.Item, now int64) float32 {
	if e.lowTrust(it) {
		return 0
	}
	return e.engagement(it) * e.freshness(it, now)
}

// feedFactorBound returns a number no item's feedFactor at now exceeds:
// the largest engagement any item has had, times the freshness of an item
// listed at now if some item is still new. selectTop skips a candidate
// whose blended score times it cannot beat the answer's last place,
// without looking at the item: the tighter the bound, the more are
// skipped. The rules' own limits (engagement 2 × freshness 1.2) let 110 of
// a demo feed's 277 candidates through; the demo's shop, like any shop
// before its first impressions and new listings, needs 1.
func (e *Engine) feedFactorBound(now int64) float32 {
	if !e.anyListingNew(now) {
		return e.maxEngagement
	}
	// Rounded as feedFactor rounds: float32 products of smaller factors
	// are never larger.
	return e.maxEngagement * freshnessAt(0, e.cfg.NewArrival.Milliseconds())
}

// anyListingNew reports whether some item may still be a new arrival at
// now: the latest listing is within the new-arrival window (every other
// listing is older: FirstSeen ≤ newestListing).
func (e *Engine) anyListingNew(now int64) bool {
	return now-e.newestListing <= e.cfg.NewArrival.Milliseconds()
}

// ratingPrior is the weight, in ratings, of the global mean in an item's
// smoothed rating: an item needs several ratings before its own mean
// dominates.
const ratingPrior = 5

// smoothedRating returns the item's Bayesian average rating (0 if nobody
// rated anything yet).
func (e *Engine) smoothedRating(it *features.Item) float64 {
	if e.ratings == 0 {
		return 0
	}
	mean := e.ratingSum / float64(e.ratings)
	c := &it.Counters
	return (c.RatingSum + ratingPrior*mean) / (float64(c.Ratings) + ratingPrior)
}

// lowTrust reports whether the item's ratings are bad enough, with enough
// of them, to keep it out of the feed.
func (e *Engine) lowTrust(it *features.Item) bool {
	return it.Counters.Ratings >= ratingPrior && e.smoothedRating(it) < e.cfg.FeedMinRating
}

// engagement turns impressions and clicks into a multiplier around 1: the
// click-through rate smoothed towards ctrPrior, relative to it, square
// rooted and bounded so that it nudges rather than overrides relevance.
func (e *Engine) engagement(it *features.Item) float32 {
	c := &it.Counters
	if c.Impressions == 0 {
		return 1
	}
	const ctrPrior, priorWeight = 0.05, 20.0
	ctr := (float64(c.Clicks) + ctrPrior*priorWeight) / (float64(c.Impressions) + priorWeight)
	return float32(math.Sqrt(math.Min(4, math.Max(0.25, ctr/ctrPrior))))
}

// freshness lifts items listed recently, fading with a half-life of a
// third of the new-arrival window.
func (e *Engine) freshness(it *features.Item, now int64) float32 {
	window := e.cfg.NewArrival.Milliseconds()
	age := now - it.FirstSeen
	if !it.Listed || age < 0 || age > window {
		return 1
	}
	return freshnessAt(age, window)
}

// freshnessAt is the freshness of an item listed age ms ago (0 ≤ age ≤
// window): largest at 0.
func freshnessAt(age, window int64) float32 {
	return float32(1 + 0.2*math.Exp2(-3*float64(age)/float64(window)))
}

// isNewArrival reports whether the item was listed within the new-arrival
// window and has little traffic yet.
func (e *Engine) isNewArrival(it *features.Item, now int64) bool {
	return it.Listed && now-it.FirstSeen <= e.cfg.NewArrival.Milliseconds() && it.Counters.Views+it.Counters.Purchases < 20
}

// explore gives the last of every ten feed slots to the best new arrival
// in a category the user showed interest in, so that new items get the
// exposure collaborative models cannot give them yet.
func (e *Engine) explore(s *scratch, req *Request) {
	if len(s.best) < 5 || len(s.query.Seeds) == 0 {
		return
	}
	if !e.anyListingNew(s.query.Now) {
		// Spare the scan of every candidate (~1 µs of a demo feed's ~24).
		return
	}
	interest := s.interest[:0]
	for _, sd := range s.query.Seeds[:min(len(s.query.Seeds), reasonSeeds)] {
		interest = interest.add(e.catalog.Item(sd.Item).LeafCategory())
	}
	s.interest = interest
	for slot := 9; slot < len(s.best)+1 && slot < req.N; slot += 10 {
		best, bestScore := features.ItemID(0), float32(-1)
		for _, id := range s.final.Touched {
			it := e.catalog.Item(id)
			if !e.isNewArrival(it, s.query.Now) || !interest.has(it.LeafCategory()) || s.exclude.has(id) || !passesItem(it, req) {
				continue
			}
			if inBest(s.best, id) {
				continue
			}
			f := e.feedFactor(it, s.query.Now)
			if f == 0 {
				continue
			}
			if sc := s.final.Get(id) * f; sc > bestScore {
				best, bestScore = id, sc
			}
		}
		if bestScore < 0 {
			return
		}
		pos := min(slot, len(s.best)-1)
		s.best[pos] = scored{item: best, score: bestScore}
		s.explored = append(s.explored, best)
	}
}

func inBest(best []scored, id features.ItemID) bool {
	for _, b := range best {
		if b.item == id {
			return true
		}
	}
	return false
}
