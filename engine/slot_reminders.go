package engine

import (
	"reco/features"
)

// reminders is the notification system's slot: items the user put in the
// cart and did not buy within AbandonAfter (nor removed), newest first,
// then replenishment items that are due. Each carries its pricing hint,
// which suggests a discount only where the item's signals justify one.
func (e *Engine) reminders(s *scratch, u *features.User) {
	if u == nil {
		return
	}
	now := s.query.Now
	abandon := e.cfg.AbandonAfter.Milliseconds()
	// Walk newest first: a purchase or uncart after a cart settles it.
	var settled [64]features.ItemID
	done := settled[:0]
	score := float32(2) // abandoned carts above due replenishments
	u.Recent(0, func(x features.Interaction) bool {
		switch x.Kind {
		case features.Purchase, features.Uncart:
			done = append(done, x.Item)
		case features.Cart:
			if containsItem(done, x.Item) || s.final.Get(x.Item) > 0 {
				return true
			}
			if now-x.TS >= abandon {
				s.final.Add(x.Item, score)
				score *= 0.99 // newer carts first
				s.abandoned = append(s.abandoned, x.Item)
			}
		}
		return true
	})
	s.due = e.dueItems(u, now, s.due)
	for i, id := range s.due {
		if s.final.Get(id) == 0 {
			s.final.Add(id, 1-float32(i)*0.01)
		}
	}
}
