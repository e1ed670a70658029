package engine

import (
	"reco/features"
	"reco/models"
)

// upsell offers a better item than the anchor: same leaf category, a price
// above the anchor's but at most UpsellMaxStepPct above it, similar by
// co-views or content. Candidates are ranked by expected value — how
// likely the shopper takes it (similarity × smoothed rating) times the
// margin it earns (price − cost, or the price when cost is unknown) — not
// by price alone, which would push the most expensive item every time.
func (e *Engine) upsell(s *scratch, req *Request) {
	if !s.hasAnchor {
		// No anchor to step up from: the best-rated popular items.
		e.popular.AddScaled(&s.query, &s.final, 1)
		return
	}
	anchor := e.catalog.Item(s.anchor)
	leaf, base := anchor.LeafCategory(), anchor.Price
	// Similarity to the anchor, as the similar slot sees it.
	s.query.Seeds = append(s.query.Seeds, models.Seed{Item: s.anchor, Weight: 1})
	s.kinds = append(s.kinds, features.View)
	e.blend(s, e.weights(s, e.cfg.Similar))
	sim := s.final.Max()
	ceiling := base * (1 + e.cfg.UpsellMaxStepPct/100)
	s.model.Reset(e.catalog.Len())
	consider := func(id features.ItemID) {
		it := e.catalog.Item(id)
		if id == s.anchor || it.LeafCategory() != leaf || it.Price <= base || (base > 0 && it.Price > ceiling) {
			return
		}
		p := 0.05 // floor: a same-category step-up is plausible even unseen together
		if sim > 0 {
			p += float64(s.final.Get(id) / sim)
		}
		if r := e.smoothedRating(it); r > 0 {
			p *= r / 5
		}
		margin := it.Price
		if it.Cost > 0 {
			margin = it.Price - it.Cost
		}
		if margin > 0 {
			s.model.Add(id, float32(p*margin))
		}
	}
	if leaf != "" {
		for _, x := range e.content.Postings(features.CategoryFeature(leaf)) {
			consider(x.Item)
		}
	} else {
		for _, id := range s.final.Touched {
			consider(id)
		}
	}
	// Only the step-ups compete: replace the similarity scores.
	s.final.Reset(e.catalog.Len())
	models.AddNormalized(&s.final, &s.model, 1)
}
