package engine

import (
	"reco/features"
)

// Replenishment: an item a user bought at least twice is a consumable for
// them; its typical interval is the mean gap between their purchases, and
// it is due again once that interval has (nearly) elapsed since the last
// one. Due items come back in the feed; consumables are never excluded as
// "already bought".

// dueShare is the share of the typical interval after which an item is
// due: a reminder a little early beats one after the shopper ran out.
const dueShare = 0.9

// purchased is what a user's remembered history says of one item they
// bought: how often, first and last.
type purchased struct {
	item        features.ItemID
	n           int
	first, last int64
}

// appendPurchased appends one entry per item u bought to dst. A linear
// search per purchase: users buy few distinct items, and the answer's
// stack buffer (dueItems, excludeBought) then allocates nothing.
func appendPurchased(u *features.User, dst []purchased) []purchased {
	start := len(dst)
	u.Recent(0, func(x features.Interaction) bool {
		if x.Kind != features.Purchase {
			return true
		}
		for i := start; i < len(dst); i++ {
			if dst[i].item == x.Item {
				dst[i].n++
				dst[i].first = min(dst[i].first, x.TS)
				return true
			}
		}
		dst = append(dst, purchased{item: x.Item, n: 1, first: x.TS, last: x.TS})
		return true
	})
	return dst
}

// dueItems appends the user's replenishment items that are due at now.
func (e *Engine) dueItems(u *features.User, now int64, dst []features.ItemID) []features.ItemID {
	var buf [16]purchased
	for _, st := range appendPurchased(u, buf[:0]) {
		if st.n < 2 {
			continue
		}
		interval := float64(st.last-st.first) / float64(st.n-1)
		since := float64(now - st.last)
		// Due, but not long forgotten (then it is no longer a habit).
		if interval > 0 && since >= dueShare*interval && since <= 3*interval {
			dst = append(dst, st.item)
		}
	}
	return dst
}
