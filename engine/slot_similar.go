package engine

import (
	"reco/features"
	"reco/models"
)

// similar scores items like the anchor: co-viewed (ItemKNN), similar
// content, and EASE's item-to-item weights.
func (e *Engine) similar(s *scratch) {
	if s.hasAnchor {
		s.query.Seeds = append(s.query.Seeds, models.Seed{Item: s.anchor, Weight: 1})
		s.kinds = append(s.kinds, features.View)
	}
	e.blend(s, e.weights(s, e.cfg.Similar))
}

// weights returns the request's blend override, or the slot's weights.
func (e *Engine) weights(s *scratch, slot models.BlendWeights) models.BlendWeights {
	if s.override != nil {
		return *s.override
	}
	return slot
}
