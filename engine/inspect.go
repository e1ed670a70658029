package engine

import "reco/features"

// ItemInfo is an item as the engine holds it (GET /v1/items/{id}).
type ItemInfo struct {
	Item        string            `json:"item"`
	Title       string            `json:"title,omitempty"`
	Categories  []string          `json:"categories,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Brand       string            `json:"brand,omitempty"`
	Attrs       map[string]string `json:"attrs,omitempty"`
	Price       float64           `json:"price"`
	Cost        float64           `json:"cost,omitempty"`
	Stock       *int              `json:"stock"` // null: unknown
	Active      bool              `json:"active"`
	Listed      bool              `json:"listed"` // described by a catalog event
	Views       int64             `json:"views"`
	Clicks      int64             `json:"clicks"`
	Carts       int64             `json:"carts"`
	Purchases   int64             `json:"purchases"`
	Ratings     int64             `json:"ratings"`
	RatingAvg   float64           `json:"rating_avg,omitempty"`
	Impressions int64             `json:"impressions"`
}

// ItemInfo returns the item with external id, or false if it is unknown
// or deleted.
func (e *Engine) ItemInfo(id string) (ItemInfo, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	iid, ok := e.catalog.Lookup(id)
	if !ok {
		return ItemInfo{}, false
	}
	it := e.catalog.Item(iid)
	if it.Deleted {
		return ItemInfo{}, false
	}
	c := it.Counters
	info := ItemInfo{
		Item: it.ID, Title: it.Title, Categories: it.Categories, Tags: it.Tags, Brand: it.Brand,
		Attrs: it.Attrs, Price: it.Price, Cost: it.Cost, Active: it.Active, Listed: it.Listed,
		Views: c.Views, Clicks: c.Clicks, Carts: c.Carts, Purchases: c.Purchases, Ratings: c.Ratings,
		Impressions: c.Impressions,
	}
	if it.Stock >= 0 {
		s := it.Stock
		info.Stock = &s
	}
	if c.Ratings > 0 {
		info.RatingAvg = c.RatingSum / float64(c.Ratings)
	}
	return info, true
}

// UserInfo is what the engine holds about a user (GET /v1/users/{id}).
type UserInfo struct {
	User          string `json:"user"`
	Consent       bool   `json:"consent"`
	HistoryLength int    `json:"history_length"`
	Events        int64  `json:"events"`
	LastEventTS   int64  `json:"last_event_ts"`
}

// UserInfo returns the user with external id, or false if unknown or erased.
func (e *Engine) UserInfo(id string) (UserInfo, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	uid, ok := e.users.Lookup(id)
	if !ok {
		return UserInfo{}, false
	}
	u := e.users.User(uid)
	return UserInfo{User: u.ID, Consent: u.Consent, HistoryLength: u.HistoryLen(), Events: u.Events, LastEventTS: u.LastTS}, true
}

// Size reports how many items and users the engine holds.
func (e *Engine) Size() (items, users int) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n := 0
	for i := 0; i < e.catalog.Len(); i++ {
		if !e.catalog.Item(features.ItemID(i)).Deleted {
			n++
		}
	}
	return n, e.users.Live()
}
