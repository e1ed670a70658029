package engine

import (
	"fmt"

	"reco/features"
)

// reasonSeeds is how many of the most recent seeds a reason may name.
const reasonSeeds = 32

// appendReasons appends to dst short sentences explaining why item id is
// in the answer: the main reason of its slot, then social proof where it
// is true — at most maxReasons.
func (e *Engine) appendReasons(dst []string, s *scratch, id features.ItemID) []string {
	dst = append(dst, e.mainReason(s, id))
	return e.socialProof(id, s.query.Now, dst)
}

// maxReasons is the most sentences appendReasons gives one item.
const maxReasons = 3

func (e *Engine) mainReason(s *scratch, id features.ItemID) string {
	it := e.catalog.Item(id)
	switch s.slot {
	case SlotSimilar:
		if !s.hasAnchor {
			return "popular right now"
		}
		if e.cooc.Pair(s.anchor, id) > 0 {
			return e.sentence(s, "often chosen together with ", s.anchor, "")
		}
		if sharesCategory(e.catalog.Item(s.anchor), it) {
			return e.sentence(s, "similar to ", s.anchor, "")
		}
		return "popular right now"
	case SlotCrossSell:
		for _, a := range s.anchors {
			if e.baskets.Support(a, id) > 0 {
				return e.sentence(s, "bought together with ", a, "")
			}
		}
		if len(s.anchors) > 0 {
			return e.sentence(s, "goes with ", s.anchors[0], "")
		}
		return "popular right now"
	case SlotReminders:
		if containsItem(s.abandoned, id) {
			return "still in your cart"
		}
		return "time to restock: you buy this regularly"
	case SlotUpsell:
		if s.hasAnchor {
			return e.sentence(s, "a step up from ", s.anchor, "")
		}
		return "popular right now"
	}
	// feed
	if containsItem(s.explored, id) {
		return "new in " + it.LeafCategory()
	}
	if containsItem(s.due, id) {
		return "time to restock: you buy this regularly"
	}
	if s.stage != stageBrowsing {
		for _, a := range s.anchors {
			if e.baskets.Support(a, id) > 0 {
				if s.stage == stageBought {
					return e.sentence(s, "goes with the ", a, " you bought")
				}
				return e.sentence(s, "goes with the ", a, " in your cart")
			}
		}
	}
	seeds := s.query.Seeds[:min(len(s.query.Seeds), reasonSeeds)]
	if !s.reasonSeedsOrdered {
		s.reasonOrder = orderReasonSeeds(s.reasonOrder, e.cooc, seeds)
		s.reasonSeedsOrdered = true
	}
	if bestIdx := strongestSeed(e.cooc, seeds, s.reasonOrder, id); bestIdx >= 0 {
		return e.sentence(s, becauseYou(s.kinds[bestIdx]), seeds[bestIdx].Item, "")
	}
	for _, sd := range seeds {
		if sharesCategory(e.catalog.Item(sd.Item), it) {
			return "matches your interest in " + it.LeafCategory()
		}
	}
	if len(seeds) > 0 {
		return "recommended for you"
	}
	return "popular right now"
}

func (e *Engine) bundleReason(ids []features.ItemID, b Bundle) string {
	return fmt.Sprintf("bought together in %.0f baskets (%.1f× more often than chance)", b.Support, b.Lift)
}

// becauseYou is how a reason names what the user did with an item.
func becauseYou(k features.Kind) string {
	switch k {
	case features.View:
		return "because you viewed "
	case features.Click:
		return "because you clicked "
	case features.Cart:
		return "because you added to your cart "
	case features.Purchase:
		return "because you bought "
	case features.Rate:
		return "because you rated "
	}
	return "because you liked "
}

// sentence returns prefix + the item's label + suffix, built once per
// answer: the items of one answer often share the item their reason names.
func (e *Engine) sentence(s *scratch, prefix string, id features.ItemID, suffix string) string {
	for _, r := range s.sentences {
		if r.id == id && r.prefix == prefix && r.suffix == suffix {
			return r.text
		}
	}
	text := prefix + e.label(id) + suffix
	s.sentences = append(s.sentences, sentence{prefix: prefix, id: id, suffix: suffix, text: text})
	return text
}

// sentence is one reason built in this answer.
type sentence struct {
	prefix, suffix, text string
	id                   features.ItemID
}
