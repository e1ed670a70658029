package engine

import (
	"reco/features"
	"reco/models"
)

// Where the shopper is in the funnel changes what helps. From the user's
// events of the last funnelWindow:
//   - browsing (only views and clicks): discovery — the feed as blended;
//   - carting (a cart not yet bought): complements of what is in the cart;
//   - bought (a purchase): accessories for it, and less of the same kind
//     (nobody needs a second camera the day after buying one).
type funnelStage uint8

const (
	stageBrowsing funnelStage = iota
	stageCarting
	stageBought
)

// funnelWindow is how far back the funnel stage looks.
const funnelWindow = 24 * 3_600_000

// stage returns the user's funnel stage at now — decided by their newest
// cart or purchase within funnelWindow — and appends to anchors the items
// that define it: what they bought, or what sits in their cart (carted
// and not bought since).
func (e *Engine) stage(u *features.User, now int64, anchors []features.ItemID) (funnelStage, []features.ItemID) {
	st := stageBrowsing
	var buf [32]features.ItemID
	bought := buf[:0]
	u.Recent(0, func(x features.Interaction) bool {
		if now-x.TS > funnelWindow {
			return false
		}
		switch x.Kind {
		case features.Purchase:
			bought = append(bought, x.Item)
			if st == stageBrowsing {
				st = stageBought
			}
			if st == stageBought && !containsItem(anchors, x.Item) {
				anchors = append(anchors, x.Item)
			}
		case features.Cart:
			if st == stageBrowsing {
				st = stageCarting
			}
			if st == stageCarting && !containsItem(bought, x.Item) && !containsItem(anchors, x.Item) {
				anchors = append(anchors, x.Item)
			}
		}
		return len(anchors) < maxAnchors && len(bought) < len(buf)
	})
	return st, anchors
}

// Weights of the funnel adjustments, relative to a feed whose best item
// scores about 1.
const (
	complementWeight = 0.5 // basket complements of the stage's anchors
	sameKindAfterBuy = 0.3 // multiplier for the bought items' own leaf categories
)

// applyFunnel adjusts the blended feed scores in s.final for the user's
// funnel stage.
func (e *Engine) applyFunnel(s *scratch, u *features.User) {
	var st funnelStage
	st, s.anchors = e.stage(u, s.query.Now, s.anchors[:0])
	if st == stageBrowsing || len(s.anchors) == 0 {
		return
	}
	s.stage = st
	e.complements(s) // as cross-sell ranks them
	models.AddNormalized(&s.final, &s.model, complementWeight)
	if st == stageBought {
		leafs := e.anchorLeafs(s)
		for _, id := range s.final.Touched {
			if leafs.has(e.catalog.Item(id).LeafCategory()) {
				s.final.Scale(id, sameKindAfterBuy)
			}
		}
	}
}
