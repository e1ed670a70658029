package features

import "unsafe"

// Item is what the engine knows about one item: its catalog attributes
// (from "item" events) and its lifetime counters (from interactions).
//
// An item that has been interacted with but never described by a catalog
// event is still recommendable (Listed is false, Stock is -1 meaning
// "unknown"): offline datasets and shops that send events before their
// catalog must not end up with an empty engine.
type Item struct {
	ID string

	// Read for every candidate an answer looks at (the filters, the feed's
	// rules, its category cap): side by side, within 96 bytes rather than
	// spread over 170 with the categories' strings behind a pointer (an
	// item is 224 bytes, and under load the catalog is rarely in cache).
	Price     float64
	Stock     int // -1 = unknown, never treated as out of stock
	Active    bool
	Listed    bool  // a catalog event described this item
	Deleted   bool  // an item_delete event removed it
	FirstSeen int64 // unix ms of the first event that mentioned the item
	// leafKey identifies LeafCategory (LeafKey), kept with the categories
	// by SetCategories: the feed's category cap compares the leaves of its
	// ~30 best candidates pairwise, and reading each leaf string through
	// the categories slice, then comparing strings, was a quarter of
	// choosing a feed's items under load.
	leafKey  uint64
	Counters ItemCounters

	Title      string
	Categories []string
	Tags       []string
	Brand      string
	Attrs      map[string]string
	Cost       float64 // 0 = unknown
	UpdatedAt  int64   // unix ms of the last catalog event
}

// ItemCounters are lifetime interaction counts, as exposed by
// GET /v1/items/{id}.
type ItemCounters struct {
	Views       int64
	Clicks      int64
	Carts       int64
	Purchases   int64
	Ratings     int64
	RatingSum   float64
	Impressions int64
	Dismisses   int64
}

// Recommendable reports whether the item may appear in any answer: it exists,
// is active, and is not known to be out of stock.
func (it *Item) Recommendable() bool {
	return !it.Deleted && it.Active && it.Stock != 0
}

// LeafCategory returns the most specific category of the item, or "".
// Categories are listed from general to specific ("shoes", "shoes/running").
func (it *Item) LeafCategory() string {
	if len(it.Categories) == 0 {
		return ""
	}
	return it.Categories[len(it.Categories)-1]
}

// SetCategories sets the item's categories (general to specific) and the
// key of its leaf category.
func (it *Item) SetCategories(categories []string) {
	it.Categories = categories
	it.leafKey = leafKeyOf(categories)
}

// LeafKey identifies the item's leaf category: equal for items of the same
// leaf, 0 for an item without categories. It is a 64-bit hash: two leaves
// sharing one would be capped as one category, with odds of about one in
// 10^19 per pair.
func (it *Item) LeafKey() uint64 {
	if it.leafKey == 0 && len(it.Categories) > 0 {
		// Categories set directly (tests, or a literal): computed here.
		return leafKeyOf(it.Categories)
	}
	return it.leafKey
}

// leafKeyOf is FNV-1a of the leaf category, never 0 for a non-empty list.
func leafKeyOf(categories []string) uint64 {
	if len(categories) == 0 {
		return 0
	}
	h := uint64(14695981039346656037)
	for _, b := range []byte(categories[len(categories)-1]) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h | 1
}

// Catalog holds every item the engine has heard of, indexed by ItemID.
type Catalog struct {
	names *Names
	items []Item
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog {
	return &Catalog{names: NewNames()}
}

// Len returns the number of item ids allocated (the length of every slice
// indexed by ItemID).
func (c *Catalog) Len() int { return len(c.items) }

// Lookup returns the id of an external item id.
func (c *Catalog) Lookup(id string) (ItemID, bool) { return c.names.Lookup(id) }

// Item returns the item with the given id. The pointer is valid until the
// next call that adds an item; do not keep it across writes.
func (c *Catalog) Item(id ItemID) *Item { return &c.items[id] }

// Ensure returns the id of item name, creating an unlisted, active item
// first seen at ts if it is new. The second result reports creation.
func (c *Catalog) Ensure(name string, ts int64) (ItemID, bool) {
	return c.EnsureKey(name, c.names.Key(name), ts)
}

// Hasher returns the hasher of the name index: Key(name) equals
// Hasher().Hash(name), which another goroutine may compute ahead.
func (c *Catalog) Hasher() StringHasher { return c.names.hasher }

// Key returns the key of item name for EnsureKey and Prefetch.
func (c *Catalog) Key(name string) Hash128 { return c.names.Key(name) }

// Prefetch prefetches the index slot of key k, so that a lookup soon
// after finds it in cache (see Prefetch).
func (c *Catalog) Prefetch(k Hash128) { c.names.Prefetch(k) }

// LookupKey is Lookup with the name's key (Key) already computed.
func (c *Catalog) LookupKey(k Hash128) (ItemID, bool) { return c.names.LookupKey(k) }

// PrefetchItem prefetches item id's counters, so that applying an event
// to it soon after finds them in cache (see Prefetch).
func (c *Catalog) PrefetchItem(id ItemID) {
	ctr := &c.items[id].Counters
	prefetchRange(unsafe.Pointer(ctr), unsafe.Sizeof(*ctr))
}

// EnsureKey is Ensure with the name's key (Key) already computed.
func (c *Catalog) EnsureKey(name string, k Hash128, ts int64) (ItemID, bool) {
	id, isNew := c.names.InternKey(name, k)
	if isNew {
		c.items = append(c.items, Item{ID: c.names.Name(id), Active: true, Stock: -1, FirstSeen: ts})
	}
	return id, isNew
}
