package engine

import (
	"math"
	"strconv"
	"strings"

	"reco/features"
	"reco/models"
)

// Recommend answers req from the current state. It returns a *RequestError
// for bad parameters, ErrUnknownSlot or ErrNotImplemented (wrapped) for
// slots it cannot answer, and never fails otherwise: unknown users and
// items get the non-personalised fallback.
func (e *Engine) Recommend(req *Request) (*Response, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	resp := &Response{Slot: req.Slot, User: req.User, RequestID: e.newRequestID()}

	e.mu.RLock()
	defer e.mu.RUnlock()
	n := e.catalog.Len()
	s := e.scratch.get(n)
	defer e.scratch.put(s)
	s.query.Now, s.query.Version = e.clock, e.version.Load()

	for _, name := range req.Exclude {
		e.excludeName(s, name)
	}
	for _, name := range req.Cart {
		e.excludeName(s, name)
	}
	var blend models.BlendWeights
	var anchor features.ItemID
	hasAnchor := false
	switch req.Slot {
	case SlotSimilar:
		blend = e.cfg.Similar
		if id, ok := e.catalog.Lookup(req.Item); ok {
			anchor, hasAnchor = id, true
			s.exclude.set(id, 1)
			s.query.Seeds = append(s.query.Seeds, models.Seed{Item: id, Weight: 1})
			s.kinds = append(s.kinds, features.View)
		}
	case SlotFeed:
		blend = e.cfg.Feed
		e.userSeeds(s, req.User)
	}
	if req.Blend != nil {
		blend = *req.Blend
	}
	e.blend(s, blend)
	e.selectTop(s, req)
	resp.Items = make([]Item, len(s.best))
	for i, c := range s.best {
		it := e.catalog.Item(c.item)
		resp.Items[i] = Item{
			Item:    it.ID,
			Score:   math.Round(float64(c.score)*1e4) / 1e4,
			Price:   it.Price,
			Reasons: []string{e.reason(s, c.item, anchor, hasAnchor)},
			Pricing: e.pricingHint(c.item),
		}
	}
	return resp, nil
}

func (e *Engine) excludeName(s *scratch, name string) {
	if id, ok := e.catalog.Lookup(name); ok {
		s.exclude.set(id, 1)
	}
}

// userSeeds turns the user's remembered interactions into the query's
// seeds and excludes every item the user already interacted with. Users
// who did not consent get no seeds.
func (e *Engine) userSeeds(s *scratch, user string) {
	uid, ok := e.users.Lookup(user)
	if !ok || user == "" {
		return
	}
	u := e.users.User(uid)
	if !u.Consent {
		return
	}
	s.query.Seeds, s.kinds = e.appendSeeds(u, s.query.Now, &s.seedPos, &s.exclude, s.query.Seeds, s.kinds)
}

// appendSeeds appends one seed per item of u's history, weighted by event
// type and decayed by age at now, and the kind of its strongest
// interaction. pos must be freshly reset; exclude, when not nil, receives
// every item of the history. Items with a net negative weight (dismissed,
// removed from cart) are excluded but not seeds: they must not pull their
// neighbours up.
func (e *Engine) appendSeeds(u *features.User, now int64, pos, exclude *itemSet, seeds []models.Seed, kinds []features.Kind) ([]models.Seed, []features.Kind) {
	first := len(seeds)
	halfLife := float64(e.cfg.SeedHalfLife.Milliseconds())
	u.Recent(0, func(x features.Interaction) bool {
		if exclude != nil {
			exclude.set(x.Item, 1)
		}
		w := e.weight(x.Kind, float64(x.Value))
		if age := now - x.TS; age > 0 {
			w *= float32(math.Exp2(-float64(age) / halfLife))
		}
		if i, ok := pos.get(x.Item); ok {
			if w > seeds[i].Weight {
				kinds[i] = x.Kind
			}
			seeds[i].Weight += w
			return true
		}
		pos.set(x.Item, int32(len(seeds)))
		seeds = append(seeds, models.Seed{Item: x.Item, Weight: w})
		kinds = append(kinds, x.Kind)
		return true
	})
	kept, keptKinds := seeds[:first], kinds[:first]
	for i := first; i < len(seeds); i++ {
		if seeds[i].Weight > 0 {
			kept = append(kept, seeds[i])
			keptKinds = append(keptKinds, kinds[i])
		}
	}
	return kept, keptKinds
}

// popularFloor is the weight popularity always gets, so that an answer is
// filled with popular items when the personal models run out of candidates.
const popularFloor = 1e-3

// blend runs each model with a non-zero weight and adds its normalised
// scores into s.final.
func (e *Engine) blend(s *scratch, w models.BlendWeights) {
	n := e.catalog.Len()
	q := &s.query
	if len(q.Seeds) > 0 {
		run := func(m models.Scorer, weight float64) {
			if weight == 0 {
				return
			}
			s.model.Reset(n)
			m.Score(q, &s.model)
			models.AddNormalized(&s.final, &s.model, weight)
		}
		run(e.itemKNN, w.ItemKNN)
		run(e.contSim, w.Content)
		if m := e.ease.Load(); m != nil {
			run(m, w.EASE)
		}
	}
	s.model.Reset(n)
	e.popular.Score(q, &s.model)
	models.AddNormalized(&s.final, &s.model, max(w.Popular, popularFloor))
}

// selectTop keeps the best req.N candidates that pass the request's filters.
func (e *Engine) selectTop(s *scratch, req *Request) {
	for _, id := range s.final.Touched {
		sc := s.final.Get(id)
		if len(s.best) == req.N && sc <= s.best[len(s.best)-1].score {
			continue
		}
		if s.exclude.has(id) || !e.passes(id, req) {
			continue
		}
		// Insertion into a short sorted list: N is at most 100.
		i := len(s.best)
		if i < req.N {
			s.best = append(s.best, scored{})
		} else {
			i--
		}
		for i > 0 && (s.best[i-1].score < sc || (s.best[i-1].score == sc && s.best[i-1].item > id)) {
			s.best[i] = s.best[i-1]
			i--
		}
		s.best[i] = scored{item: id, score: sc}
	}
}

// passes reports whether item id may be shown for req.
func (e *Engine) passes(id features.ItemID, req *Request) bool {
	it := e.catalog.Item(id)
	if !it.Recommendable() {
		return false
	}
	if req.MinPrice > 0 && it.Price < req.MinPrice {
		return false
	}
	if req.MaxPrice > 0 && (it.Price == 0 || it.Price > req.MaxPrice) {
		return false
	}
	if req.Category != "" {
		found := false
		for _, c := range it.Categories {
			if c == req.Category || (strings.HasPrefix(c, req.Category) && len(c) > len(req.Category) && c[len(req.Category)] == '/') {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// verb is how a reason names what the user did with an item.
func verb(k features.Kind) string {
	switch k {
	case features.View:
		return "viewed"
	case features.Click:
		return "clicked"
	case features.Cart:
		return "added to your cart"
	case features.Purchase:
		return "bought"
	case features.Rate:
		return "rated"
	}
	return "liked"
}

// reason explains in one short sentence why item id is in the answer.
func (e *Engine) reason(s *scratch, id, anchor features.ItemID, hasAnchor bool) string {
	if hasAnchor {
		if e.cooc.Pair(anchor, id) > 0 {
			return "often chosen together with " + e.label(anchor)
		}
		if sharesCategory(e.catalog.Item(anchor), e.catalog.Item(id)) {
			return "similar to " + e.label(anchor)
		}
		return "popular right now"
	}
	// The seed that co-occurs most strongly with the item explains it best.
	// Seeds are newest first; looking at the most recent ones only keeps
	// this cheap and the explanation current.
	seeds := s.query.Seeds[:min(len(s.query.Seeds), reasonSeeds)]
	best, bestIdx := float32(0), -1
	for i, sd := range seeds {
		if c := e.cooc.Pair(sd.Item, id); c*sd.Weight > best {
			best, bestIdx = c*sd.Weight, i
		}
	}
	if bestIdx >= 0 {
		return "because you " + verb(s.kinds[bestIdx]) + " " + e.label(s.query.Seeds[bestIdx].Item)
	}
	it := e.catalog.Item(id)
	for _, sd := range seeds {
		if sharesCategory(e.catalog.Item(sd.Item), it) {
			return "matches your interest in " + it.LeafCategory()
		}
	}
	if len(s.query.Seeds) > 0 {
		return "recommended for you"
	}
	return "popular right now"
}

// reasonSeeds is how many of the most recent seeds a reason may name.
const reasonSeeds = 32

// label names an item in a reason: its title when the catalog has one.
func (e *Engine) label(id features.ItemID) string {
	it := e.catalog.Item(id)
	if it.Title != "" {
		return it.Title
	}
	return it.ID
}

func sharesCategory(a, b *features.Item) bool {
	la := a.LeafCategory()
	return la != "" && la == b.LeafCategory()
}

// pricingHint computes the pricing hint of item id from the state.
func (e *Engine) pricingHint(id features.ItemID) models.PricingHint {
	it := e.catalog.Item(id)
	// A decayed sum with half-life h holds rate × h/ln2 for a steady rate.
	perDay := math.Ln2 / (float64(e.cfg.PopularityHalfLife.Milliseconds()) / 86_400_000)
	return e.pricing.Hint(models.PricingInput{
		Price:       it.Price,
		Cost:        it.Cost,
		Stock:       it.Stock,
		SalesPerDay: e.sales.At(id, e.clock) * perDay,
		ViewsPerDay: e.views.At(id, e.clock) * perDay,
	})
}

func (e *Engine) newRequestID() string {
	seq := e.requestSeq.Add(1)
	b := make([]byte, 0, 32)
	b = append(b, "r-"...)
	b = append(b, e.requestEpoch...)
	b = append(b, '-')
	b = strconv.AppendUint(b, seq, 10)
	return string(b)
}
