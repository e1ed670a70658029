// Package engine is reco's core: it owns the in-memory state, applies
// events to it and answers recommendation requests from it.
//
// The Engine is safe for concurrent use. Writers (Apply) are serialised by
// one lock and readers (Recommend, Item, User) share it, so a request never
// sees a half-applied event. Sub-packages connect it to the outside: the
// Kafka consumer (engine/stream), the HTTP API (engine/httpapi) and the
// embedded broker (engine/broker).
package engine

import (
	"sync"
	"sync/atomic"
	"time"

	"reco/features"
	"reco/models"
)

// Engine holds the state and the models.
type Engine struct {
	cfg Config

	mu            sync.RWMutex // guards everything below up to version
	catalog       *features.Catalog
	users         *features.Users
	content       *features.Content
	cooc          *features.CoOccurrence
	baskets       *features.Baskets
	pop           *features.Popularity // all positive interest
	views         *features.Popularity // views only, for pricing
	sales         *features.Popularity // purchased quantity, for pricing
	weeklySales   features.WeeklyCounts
	pricePoints   features.PricePoints
	categoryPrice map[string]*priceSum // leaf category → prices of its listed items
	ratingSum     float64              // all ratings ever applied, for the smoothed-rating prior
	ratings       int64
	dedup         *dedup
	clock         int64              // newest event time applied, unix ms
	newestListing int64              // the latest FirstSeen of a listed item (explore, feedFactorBound)
	maxEngagement float32            // the largest engagement any item has had (feedFactorBound)
	appliedClock  atomic.Int64       // clock as of the last unlock: for background work outside mu
	futureBound   atomic.Int64       // latest ts accepted without reading the wall clock (future.go)
	offsets       map[Position]int64 // next Kafka offset per partition the state reflects
	attribution   map[attributionKey]*attributionCounts
	paired        itemSet                     // Apply's scratch: partners already paired with the current event
	pairBuf       pairBatch                   // co-occurrence updates listed since the last flushPairsLocked (pairs.go)
	hashers       atomic.Pointer[nameHashers] // of users and catalog, for DecodeMessage
	userVersions  *userVersions               // per-user answer versions, read without mu

	// coocMu guards cooc and the pair counts of baskets: their updates may
	// be applied by a worker of their own, outside mu (pairs.go). Readers
	// take it after mu.
	coocMu sync.RWMutex
	pairs  atomic.Pointer[pairQueue] // the worker's queue while Run runs

	version atomic.Uint64 // events applied; bumped after each Apply
	// catalogVersion and modelVersion change with every catalog event and
	// every trained model: part of the key of cached answers.
	catalogVersion atomic.Uint64
	modelVersion   atomic.Uint64

	itemKNN *models.ItemKNN
	contSim *models.ContentSimilarity
	popular *models.Popular
	ease    atomic.Pointer[models.EASE]
	pricing *models.Pricing

	trainMu      sync.Mutex
	notifyMu     sync.Mutex    // one Notify at a time: its caps are checked, then recorded
	trainedAt    atomic.Uint64 // version the current EASE was trained at
	requestSeq   atomic.Uint64
	requestEpoch string

	scratch     scratchPool
	answerTurns chan struct{} // a token per answer being computed (answer_turns.go)
	ingesting   atomic.Bool   // events applied between Run's last two ticks: answers take turns (noteIngest)
	proofs      proofCache    // social-proof sentences per item (social_proof.go)
	// complementLists are each anchor's basket complements (slot_crosssell.go).
	complementLists complementCache

	stats Stats
}

// Stats are lifetime counters of the engine, safe to read at any time.
type Stats struct {
	Duplicates atomic.Uint64
	Trainings  atomic.Uint64
	TrainFails atomic.Uint64
	// TrainNanos is the duration of the last successful training.
	TrainNanos atomic.Int64
	// AnswerWaits counts the answers that waited for a turn
	// (Config.MaxConcurrentAnswers): more requests computed at once than
	// the engine lets in.
	AnswerWaits atomic.Uint64
}

// New returns an empty engine.
func New(cfg Config) *Engine {
	cfg.defaults()
	e := &Engine{
		cfg:           cfg,
		answerTurns:   make(chan struct{}, cfg.MaxConcurrentAnswers),
		catalog:       features.NewCatalog(),
		users:         features.NewUsers(cfg.HistoryLen),
		content:       features.NewContent(),
		cooc:          features.NewCoOccurrence(cfg.CoOccurrenceMaxRow, cfg.CoOccurrenceHalfLife.Milliseconds()),
		baskets:       features.NewBaskets(cfg.CoOccurrenceMaxRow),
		pop:           features.NewPopularity(cfg.PopularityHalfLife.Milliseconds()),
		views:         features.NewPopularity(cfg.PopularityHalfLife.Milliseconds()),
		sales:         features.NewPopularity(cfg.PopularityHalfLife.Milliseconds()),
		dedup:         newDedup(cfg.DedupWindow),
		categoryPrice: map[string]*priceSum{},
		offsets:       map[Position]int64{},
		attribution:   map[attributionKey]*attributionCounts{},
		pricing:       models.NewPricing(cfg.Pricing),
		userVersions:  newUserVersions(),
		maxEngagement: 1, // an item nobody was shown
	}
	e.storeHashers()
	e.wireModels()
	e.requestEpoch = time.Now().UTC().Format("060102150405")
	return e
}

// wireModels (re)creates the models over the current feature structures.
func (e *Engine) wireModels() {
	e.itemKNN = models.NewItemKNN(e.cooc, e.cfg.ItemKNN)
	e.contSim = models.NewContentSimilarity(e.content, e.cfg.Content)
	e.popular = models.NewPopular(e.pop, e.catalog, e.cfg.PopularTopN)
	e.growItemSlots()
}

// growItemSlots makes room for every item of the catalog in what is kept
// per item for requests: item-kNN's and content's neighbour lists, social
// proof, complement lists. Call it under the write lock.
func (e *Engine) growItemSlots() {
	n := e.catalog.Len()
	e.itemKNN.Grow(n)
	e.contSim.Grow(n)
	e.proofs.Grow(n)
	e.complementLists.Grow(n)
}

// Config returns the configuration in use, defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// Stats returns the engine's counters.
func (e *Engine) Stats() *Stats { return &e.stats }

// Version returns the number of events applied so far. It changes with
// every applied event, so it can key anything derived from the state.
func (e *Engine) Version() uint64 { return e.version.Load() }

// Apply validates ev and folds it into the state. Events with an id already
// seen within the dedup window are dropped (and counted in Stats).
func (e *Engine) Apply(ev *Event) error {
	if err := ev.validate(); err != nil {
		return err
	}
	if err := e.CheckTimestamp(ev); err != nil {
		return err
	}
	e.mu.Lock()
	e.applyLocked(ev)
	e.unlockApplied(true)
	return nil
}

func (e *Engine) applyLocked(ev *Event) {
	var k eventKeys
	if ev.ID != "" {
		k.id = idHash(ev.ID)
	}
	e.applyKeyedLocked(ev, k)
}

// applyKeyedLocked applies ev with its hashes k; the user and item keys
// may be zero (not computed): the user's is computed here, once, for
// every event that names a user.
func (e *Engine) applyKeyedLocked(ev *Event, k eventKeys) {
	if h := k.id; h != 0 && e.dedup.addHash(h) {
		e.stats.Duplicates.Add(1)
		return
	}
	ts := ev.TS
	if ts == 0 {
		ts = time.Now().UnixMilli()
	}
	if ts > e.clock {
		e.clock = ts
	}
	if k.user == (features.Hash128{}) && ev.User != "" {
		k.user = e.users.Key(ev.User)
	}
	switch ev.Type {
	case TypeItem:
		e.catalogVersion.Add(1)
		e.applyItem(ev, ts)
	case TypeItemDelete:
		e.catalogVersion.Add(1)
		if id, ok := e.catalog.Lookup(ev.Item); ok {
			it := e.catalog.Item(id)
			if it.Listed && !it.Deleted {
				e.categoryPrice[it.LeafCategory()].remove(it.Price)
			}
			it.Deleted = true
			e.content.Remove(id)
			// The pair worker counts baskets: let it apply what earlier
			// events queued for the item first, or they would count again.
			e.flushPairsLocked(true)
			e.waitPairs()
			e.coocMu.Lock()
			e.baskets.Forget(id)
			e.coocMu.Unlock()
		}
	case TypeUser:
		u := e.users.User(e.users.EnsureKey(ev.User, k.user))
		e.userVersions.bump(k.user)
		if ev.Consent != nil {
			u.Consent = *ev.Consent
		}
	case TypeUserDelete:
		if _, ok := e.users.Erase(ev.User); ok {
			e.userVersions.bump(k.user) // no personal answer after erasure
		}
	case TypeNotified:
		u := e.users.User(e.users.EnsureKey(ev.User, k.user))
		e.userVersions.bump(k.user)
		u.AddNotified(features.Notification{TS: ts, Item: e.ensureItem(ev.Item, ts), Channel: ev.Channel})
	default:
		e.applyInteraction(ev, ts, k)
	}
	e.version.Add(1)
}

func (e *Engine) ensureItem(name string, ts int64) features.ItemID {
	return e.ensureItemKey(name, features.Hash128{}, ts)
}

// ensureItemKey is ensureItem with the name's key, if already computed.
func (e *Engine) ensureItemKey(name string, k features.Hash128, ts int64) features.ItemID {
	if k == (features.Hash128{}) {
		k = e.catalog.Key(name)
	}
	id, isNew := e.catalog.EnsureKey(name, k, ts)
	if isNew {
		e.growItemSlots()
	}
	return id
}

func (e *Engine) applyItem(ev *Event, ts int64) {
	id := e.ensureItem(ev.Item, ts)
	it := e.catalog.Item(id)
	if it.Listed && !it.Deleted {
		e.categoryPrice[it.LeafCategory()].remove(it.Price)
	}
	it.Title, it.Brand = ev.Title, ev.Brand
	it.SetCategories(ev.Categories)
	it.Tags, it.Attrs = ev.Tags, ev.Attrs
	it.Price, it.Cost = ev.Price, ev.Cost
	it.Stock = -1
	if ev.Stock != nil {
		it.Stock = *ev.Stock
	}
	it.Active = ev.Active == nil || *ev.Active
	it.Listed, it.Deleted = true, false
	e.newestListing = max(e.newestListing, it.FirstSeen)
	it.UpdatedAt = ts
	e.content.Set(id, it)
	e.addCategoryPrice(it)
}

// weight returns the interest an interaction expresses.
func (e *Engine) weight(k features.Kind, value float64) float32 {
	w := &e.cfg.Weights
	switch k {
	case features.View:
		return w.View
	case features.Click:
		return w.Click
	case features.Cart:
		return w.Cart
	case features.Uncart:
		return w.Uncart
	case features.Purchase:
		return w.Purchase
	case features.Dismiss:
		return w.Dismiss
	case features.Rate:
		return w.RateBase + w.RateSlope*float32(value-3)
	}
	return 0
}

func (e *Engine) applyInteraction(ev *Event, ts int64, k eventKeys) {
	var iid features.ItemID
	if k.iid != 0 { // found while warming: items are never forgotten
		iid = k.iid - 1
	} else {
		iid = e.ensureItemKey(ev.Item, k.item, ts)
	}
	it := e.catalog.Item(iid)
	if ev.RequestID != "" {
		e.attribute(ev, paidPrice(ev, it))
	}
	c := &it.Counters
	qty := float64(max(ev.Qty, 1))
	switch ev.kind {
	case features.View:
		c.Views++
		e.views.Add(iid, 1, ts)
	case features.Click:
		c.Clicks++
		e.maxEngagement = max(e.maxEngagement, e.engagement(it))
	case features.Cart:
		c.Carts++
	case features.Purchase:
		c.Purchases++
		e.sales.Add(iid, qty, ts)
		e.weeklySales.Add(iid, ts, int32(qty))
		e.pricePoints.Add(iid, ts, qty, paidPrice(ev, it))
	case features.Rate:
		c.Ratings++
		c.RatingSum += ev.Value
		e.ratings++
		e.ratingSum += ev.Value
	case features.Dismiss:
		c.Dismisses++
	case features.Impression:
		// Impressions are exposure, not interest: counted, and remembered
		// per user only to demote what they keep ignoring.
		c.Impressions++
		if c.Impressions == 1 {
			// Only the first impression can lift an item's engagement (from
			// the 1 of an item never shown, if it was clicked before); every
			// later one lowers its click-through. Impressions are the
			// commonest event of a shop that reports them.
			e.maxEngagement = max(e.maxEngagement, e.engagement(it))
		}
		uid, ok := e.warmedUser(k)
		if !ok {
			uid, ok = e.users.LookupKey(k.user)
		}
		if ok && e.users.User(uid).Consent {
			e.userVersions.bump(k.user)
			e.users.User(uid).AddShown(iid)
		}
		return
	}
	w := e.weight(ev.kind, ev.Value)
	if w > 0 {
		e.pop.Add(iid, float64(w), ts)
	}
	uid, ok := e.warmedUser(k)
	if !ok {
		uid = e.users.EnsureKey(ev.User, k.user)
	}
	u := e.users.User(uid)
	e.userVersions.bump(k.user) // cached answers for the user are stale from here
	if !u.Consent {
		// Without consent nothing personal is kept: the item aggregates
		// above are anonymous, the history and the pairs built from it
		// are not.
		u.Events++
		u.LastTS = max(u.LastTS, ts)
		return
	}
	if w > 0 {
		e.addCoOccurrence(u, iid, w, ts)
	}
	switch ev.kind {
	case features.Cart, features.Purchase:
		e.addToBasket(u, iid, ev.kind, ts)
		u.ClearShown(iid)
	case features.Click:
		u.ClearShown(iid)
	}
	var value float32
	switch ev.kind {
	case features.Rate:
		value = float32(ev.Value)
	case features.Purchase:
		value = float32(paidPrice(ev, it)) // for the user's price sensitivity
	}
	e.users.Append(uid, features.Interaction{TS: ts, Item: iid, Value: value, Kind: ev.kind})
}

// warmedUser returns the user id ApplyMessages' warming pass found for
// the event, if it still names the event's user: no user was erased
// since (an erasure forgets a name, and the next event of that name
// starts a new user).
func (e *Engine) warmedUser(k eventKeys) (features.UserID, bool) {
	if k.uid == 0 || k.erased != e.users.Erased() {
		return 0, false
	}
	return k.uid - 1, true
}

func (e *Engine) addCategoryPrice(it *features.Item) {
	leaf := it.LeafCategory()
	if e.categoryPrice[leaf] == nil {
		e.categoryPrice[leaf] = &priceSum{}
	}
	e.categoryPrice[leaf].add(it.Price)
}

// paidPrice is the unit price of a purchase: the event's, else the list price.
func paidPrice(ev *Event, it *features.Item) float64 {
	if ev.Price > 0 {
		return ev.Price
	}
	return it.Price
}

// priceSum accumulates the list prices of one category's items.
type priceSum struct {
	sum float64
	n   int
}

func (p *priceSum) add(price float64) {
	if price > 0 {
		p.sum += price
		p.n++
	}
}

func (p *priceSum) remove(price float64) {
	if p != nil && price > 0 && p.n > 0 {
		p.sum -= price
		p.n--
	}
}

func (p *priceSum) mean() float64 {
	if p == nil || p.n == 0 {
		return 0
	}
	return p.sum / float64(p.n)
}
