package engine

import "reco/features"

// addToBasket puts item iid, carted or bought (kind), into the user's
// current basket and counts its pairs with the basket's other items — at
// most maxBasketPartners of the most recent, so that a shopper who keeps
// one basket open all day costs no more per event than anyone else.
//
// A new basket starts after BasketWindow without cart or purchase, and
// with a cart that follows a purchase: the purchase was a checkout, and
// what is carted after it is the next order. Purchases that follow a
// purchase stay in its basket — the items of one checkout, each its own
// event, and an item bought right after without carting it. Before
// checkouts closed baskets, a shopper who ordered several times a day
// kept one basket for all of it, and each cart paired with up to 32 items
// of earlier orders: on the demo's stream, a seventh of the server's CPU
// (docs/performance.md, Freshness, Session 22).
func (e *Engine) addToBasket(u *features.User, iid features.ItemID, kind features.Kind, ts int64) {
	if ts-u.BasketLast > e.cfg.BasketWindow.Milliseconds() || u.BasketStart == 0 ||
		kind == features.Cart && basketCheckedOut(u) {
		e.baskets.StartBasket()
		u.BasketStart = ts
	}
	u.BasketLast = max(u.BasketLast, ts)
	var buf [maxBasketPartners]features.ItemID
	others := buf[:0]
	inBasket := false
	carted := kind == features.Cart
	e.paired.reset(e.catalog.Len())
	for k, n := 1, u.HistoryLen(); k <= n && len(others) < maxBasketPartners; k++ {
		x := u.Newest(k)
		if x.TS < u.BasketStart {
			break
		}
		if !x.Kind.InBasket() {
			continue
		}
		if endsBasket(x.Kind, &carted) {
			break
		}
		if x.Item == iid {
			inBasket = true
			break
		}
		if !e.paired.has(x.Item) {
			e.paired.set(x.Item, 1)
			others = append(others, x.Item)
		}
	}
	if !inBasket { // counted by the pair worker, like co-occurrences
		mark := len(e.pairBuf.partners)
		for _, o := range others {
			e.pairBuf.partners = append(e.pairBuf.partners, pairPartner{b: o})
		}
		e.pairBuf.add(pairEvent{a: iid, basket: true}, mark)
	}
}

// maxBasketPartners bounds the basket items a new one is paired with.
const maxBasketPartners = 32

// endsBasket reports whether a cart or purchase of kind, met going back
// through a user's history, belongs to an earlier basket than the newer
// ones met so far: it is a purchase older than a cart (a checkout the cart
// came after). carted says whether a cart was met, and is updated.
//
// BasketStart alone would not tell: events can share a time, when a
// stream stamps them to the second or a replay a batch with one clock
// read, and the purchase then starts as late as the basket after it.
func endsBasket(kind features.Kind, carted *bool) bool {
	if kind == features.Purchase && *carted {
		return true
	}
	*carted = *carted || kind == features.Cart
	return false
}

// basketCheckedOut reports whether the newest cart or purchase of user
// u's current basket is a purchase.
func basketCheckedOut(u *features.User) bool {
	for k, n := 1, u.HistoryLen(); k <= n; k++ {
		x := u.Newest(k)
		if x.TS < u.BasketStart {
			return false
		}
		if x.Kind.InBasket() {
			return x.Kind == features.Purchase
		}
	}
	return false
}
