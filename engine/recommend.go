package engine

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"reco/features"
	"reco/models"
)

// Recommend answers req from the current state. It returns a *RequestError
// for bad parameters, ErrUnknownSlot (wrapped) for a slot outside the
// contract, and never fails otherwise: unknown users and
// items get the slot's non-personalised fallback.
func (e *Engine) Recommend(req *Request) (*Response, error) {
	resp := new(Response)
	if err := e.RecommendInto(req, resp); err != nil {
		return nil, err
	}
	resp.RequestID = e.NewRequestID(resp.Slot, resp.Variant)
	return resp, nil
}

// RecommendInto is Recommend writing its answer into resp, whose slices
// it reuses, and leaving resp.RequestID empty: a server that encodes the
// answer at once and pools its Responses names each copy it writes
// (AppendRequestID) and allocates almost nothing per answer. The answer
// stays valid until resp is passed to RecommendInto again.
func (e *Engine) RecommendInto(req *Request, resp *Response) error {
	if err := req.Validate(); err != nil {
		return err
	}
	_, variant := e.assign(req.Slot, req.User)
	resp.reset(req.Slot, req.User)
	if variant != nil {
		resp.Variant = variant.Name
	}

	if e.ingesting.Load() {
		e.beginAnswer()
		defer e.endAnswer()
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	e.coocMu.RLock()
	defer e.coocMu.RUnlock()
	n := e.catalog.Len()
	s := e.scratch.get(n)
	defer e.scratch.put(s)
	s.query.Now, s.query.Version = e.clock, e.version.Load()
	s.slot, s.override = req.Slot, req.Blend
	if s.override == nil {
		s.override = variantBlend(variant, req.Slot)
	}

	for _, name := range req.Exclude {
		e.excludeName(s, name)
	}
	for _, name := range req.Cart {
		if id, ok := e.catalog.Lookup(name); ok {
			s.exclude.set(id, 1)
			s.cart = append(s.cart, id)
		}
	}
	if id, ok := e.catalog.Lookup(req.Item); ok && req.Item != "" {
		s.anchor, s.hasAnchor = id, true
		s.exclude.set(id, 1)
	}
	u := e.consentingUser(req.User)
	perCategory := req.N // no cap
	switch req.Slot {
	case SlotSimilar:
		e.similar(s)
	case SlotFeed:
		e.feed(s, u)
		perCategory = max(2, req.N*e.cfg.FeedCategoryCapPct/100)
	case SlotCrossSell:
		e.crossSell(s, u)
	case SlotUpsell:
		e.upsell(s, req)
	case SlotBundle:
		resp.Bundles = e.bundles(s, req, u)
		return nil
	case SlotReminders:
		e.reminders(s, u)
	}
	e.selectTop(s, req, perCategory)
	if req.Slot == SlotFeed && u != nil {
		e.explore(s, req)
	}
	sensitivity := 0.0
	if u != nil && len(s.best) > 0 {
		sensitivity = e.priceSensitivity(u) // once per answer, not per item
	}
	demand := e.demandScale()
	// All items' reasons share one backing array, as do their pricing
	// hints' elasticities: sized before any item points into them.
	items := slices.Grow(resp.Items[:0], len(s.best))[:len(s.best)]
	reasons := slices.Grow(resp.reasons[:0], maxReasons*len(s.best))
	elasticities := slices.Grow(resp.elasticities[:0], len(s.best))[:len(s.best)]
	for i, c := range s.best {
		it := e.catalog.Item(c.item)
		start := len(reasons)
		reasons = e.appendReasons(reasons, s, c.item)
		items[i] = Item{
			Item:    it.ID,
			Score:   math.Round(float64(c.score)*1e4) / 1e4,
			Price:   it.Price,
			Reasons: reasons[start:len(reasons):len(reasons)],
			Pricing: e.pricingHint(c.item, sensitivity, demand, &elasticities[i]),
		}
	}
	resp.Items, resp.reasons, resp.elasticities = items, reasons, elasticities
	return nil
}

// consentingUser returns the user if known and personalisation is allowed.
func (e *Engine) consentingUser(name string) *features.User {
	if name == "" {
		return nil
	}
	uid, ok := e.users.Lookup(name)
	if !ok {
		return nil
	}
	u := e.users.User(uid)
	if !u.Consent {
		return nil
	}
	return u
}

func (e *Engine) excludeName(s *scratch, name string) {
	if id, ok := e.catalog.Lookup(name); ok {
		s.exclude.set(id, 1)
	}
}

// userSeeds turns the user's remembered interactions into the query's
// seeds and excludes every item the user already interacted with. Users
// who did not consent get no seeds.
func (e *Engine) userSeeds(s *scratch, u *features.User) {
	if u == nil {
		return
	}
	s.query.Seeds, s.kinds = e.appendSeeds(u, s.query.Now, &s.seedPos, &s.exclude, s.query.Seeds, s.kinds)
}

// appendSeeds appends one seed per item of u's history, weighted by event
// type and decayed by age at now, and the kind of its strongest
// interaction. pos must be freshly reset; exclude, when not nil, receives
// every item of the history. Items with a net negative weight (dismissed,
// removed from cart) are excluded but not seeds: they must not pull their
// neighbours up.
func (e *Engine) appendSeeds(u *features.User, now int64, pos, exclude *itemSet, seeds []models.Seed, kinds []features.Kind) ([]models.Seed, []features.Kind) {
	first := len(seeds)
	halfLife := float64(e.cfg.SeedHalfLife.Milliseconds())
	u.Recent(0, func(x features.Interaction) bool {
		if exclude != nil {
			exclude.set(x.Item, 1)
		}
		w := e.weight(x.Kind, float64(x.Value))
		if age := now - x.TS; age > 0 {
			w *= float32(math.Exp2(-float64(age) / halfLife))
		}
		if i, ok := pos.get(x.Item); ok {
			if w > seeds[i].Weight {
				kinds[i] = x.Kind
			}
			seeds[i].Weight += w
			return true
		}
		pos.set(x.Item, int32(len(seeds)))
		seeds = append(seeds, models.Seed{Item: x.Item, Weight: w})
		kinds = append(kinds, x.Kind)
		return true
	})
	kept, keptKinds := seeds[:first], kinds[:first]
	for i := first; i < len(seeds); i++ {
		if seeds[i].Weight > 0 {
			kept = append(kept, seeds[i])
			keptKinds = append(keptKinds, kinds[i])
		}
	}
	return kept, keptKinds
}

// popularFloor is the weight popularity always gets, so that an answer is
// filled with popular items when the personal models run out of candidates.
const popularFloor = 1e-3

// lightShare is the weight, relative to the heaviest model a blend runs,
// at or below which a model is asked for its light evaluation
// (models.Query.Light): only its strongest signals can move the ranking.
// The feed's item-kNN and content (0.05 against EASE's 1) are light once
// EASE is trained; a model benchmarked alone, or weighing what the
// similar and cross-sell blends give it, is not.
const lightShare = 0.1

// blend runs each model with a non-zero weight and adds its normalised
// scores into s.final.
func (e *Engine) blend(s *scratch, w models.BlendWeights) {
	n := e.catalog.Len()
	q := &s.query
	if len(q.Seeds) > 0 {
		ease := e.ease.Load()
		heaviest := max(w.ItemKNN, w.Content)
		if ease != nil {
			heaviest = max(heaviest, w.EASE)
		}
		run := func(m models.Scorer, weight float64) {
			if weight == 0 {
				return
			}
			q.Light = weight <= lightShare*heaviest
			if len(s.final.Touched) == 0 {
				// The first model scores straight into the empty result:
				// one pass over its candidates instead of two.
				m.Score(q, &s.final)
				s.final.Normalize(weight)
			} else {
				s.model.Reset(n)
				m.Score(q, &s.model)
				models.AddNormalized(&s.final, &s.model, weight)
			}
			q.Light = false
		}
		// EASE first: it touches the most candidates, and adds them
		// normalised in one pass (it has no light evaluation).
		if ease != nil {
			ease.ScoreNormalized(q, &s.final, w.EASE)
		}
		run(e.itemKNN, w.ItemKNN)
		run(e.contSim, w.Content)
	}
	e.popular.AddScaled(q, &s.final, max(w.Popular, popularFloor))
}

// outranks reports whether item id scoring sc ranks before b: a higher
// score, or the same score and a smaller id, so that an answer does not
// depend on the order its candidates were scored in.
func outranks(sc float32, id features.ItemID, b scored) bool {
	return sc > b.score || (sc == b.score && id < b.item)
}

// selectTop keeps the best req.N candidates that pass the request's
// filters, with at most perCategory items of one leaf category (diversity:
// a feed of ten near-identical items sells less than a varied one).
func (e *Engine) selectTop(s *scratch, req *Request, perCategory int) {
	// Keep a longer sorted list than needed so that the category cap can
	// skip over a crowded category without a second pass over candidates.
	limit := req.N
	if perCategory < req.N {
		limit = 3 * req.N
	}
	// The feed's per-item rules multiply a score by at most
	// feedFactorBound: a candidate that cannot beat the last place even so
	// is skipped before its item is looked at.
	feedRules, bound := req.Slot == SlotFeed, float32(1)
	if feedRules {
		bound = e.feedFactorBound(s.query.Now)
	}
	for _, id := range s.final.Touched {
		sc := s.final.Get(id)
		if sc <= 0 || (len(s.best) == limit && sc*bound < s.best[len(s.best)-1].score) {
			continue
		}
		if s.exclude.has(id) {
			continue
		}
		it := e.catalog.Item(id)
		if !passesItem(it, req) {
			continue
		}
		if feedRules {
			f := e.feedFactor(it, s.query.Now)
			if f == 0 {
				continue
			}
			sc *= f
		}
		if len(s.best) == limit && !outranks(sc, id, s.best[len(s.best)-1]) {
			continue
		}
		i := len(s.best)
		if i < limit {
			s.best = append(s.best, scored{})
		} else {
			i--
		}
		for i > 0 && outranks(sc, id, s.best[i-1]) {
			s.best[i] = s.best[i-1]
			i--
		}
		s.best[i] = scored{item: id, score: sc}
	}
	if perCategory >= req.N {
		return
	}
	kept := s.kept[:0]
	overflow := s.overflow[:0]
	// The kept items' leaves side by side, as keys: looking each item up
	// again for every candidate after it was a fifth of selectTop under
	// load, where the items are rarely in cache, and comparing strings
	// another.
	keptLeafs := s.keptLeafs[:0]
	for _, c := range s.best {
		leaf := e.catalog.Item(c.item).LeafKey()
		same := 0
		for _, k := range keptLeafs {
			if k == leaf {
				same++
			}
		}
		if leaf != 0 && same >= perCategory {
			overflow = append(overflow, c)
			continue
		}
		if len(kept) < req.N {
			kept = append(kept, c)
			keptLeafs = append(keptLeafs, leaf)
		}
	}
	s.keptLeafs = keptLeafs
	// Too few categories to fill the answer: take the best of the rest.
	for _, c := range overflow {
		if len(kept) >= req.N {
			break
		}
		kept = append(kept, c)
	}
	s.best = append(s.best[:0], kept...)
	s.kept, s.overflow = kept, overflow
}

// passes reports whether item id may be shown for req.
func (e *Engine) passes(id features.ItemID, req *Request) bool {
	return passesItem(e.catalog.Item(id), req)
}

// passesItem reports whether it may be shown for req.
func passesItem(it *features.Item, req *Request) bool {
	if !it.Recommendable() {
		return false
	}
	if req.MinPrice > 0 && it.Price < req.MinPrice {
		return false
	}
	if req.MaxPrice > 0 && (it.Price == 0 || it.Price > req.MaxPrice) {
		return false
	}
	if req.Category != "" {
		found := false
		for _, c := range it.Categories {
			if c == req.Category || (strings.HasPrefix(c, req.Category) && len(c) > len(req.Category) && c[len(req.Category)] == '/') {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// label names an item in a reason: its title when the catalog has one.
func (e *Engine) label(id features.ItemID) string {
	it := e.catalog.Item(id)
	if it.Title != "" {
		return it.Title
	}
	return it.ID
}

func sharesCategory(a, b *features.Item) bool {
	la := a.LeafCategory()
	return la != "" && la == b.LeafCategory()
}

// demandScale turns the stored sales and views of every item into rates
// per day now: computed once per answer, not once per item.
type demandScale struct{ sales, views float64 }

func (e *Engine) demandScale() demandScale {
	// A decayed sum with half-life h holds rate × h/ln2 for a steady rate.
	perDay := math.Ln2 / (float64(e.cfg.PopularityHalfLife.Milliseconds()) / 86_400_000)
	return demandScale{sales: e.sales.Scale(e.clock) * perDay, views: e.views.Scale(e.clock) * perDay}
}

// pricingHint computes the pricing hint of item id from the state, for a
// user of the given price sensitivity (priceSensitivity; 0: anonymous),
// its elasticity stored in *elasticity (models.Pricing.HintInto).
func (e *Engine) pricingHint(id features.ItemID, userSensitivity float64, demand demandScale, elasticity *float64) models.PricingHint {
	it := e.catalog.Item(id)
	in := models.PricingInput{
		Price:       it.Price,
		Cost:        it.Cost,
		Stock:       it.Stock,
		SalesPerDay: e.sales.AtScale(id, demand.sales),
		ViewsPerDay: e.views.AtScale(id, demand.views),
	}
	in.Elasticity, in.HasElasticity = e.pricePoints.Elasticity(id)
	in.UserSensitivity = userSensitivity
	return e.pricing.HintInto(in, elasticity)
}

// priceSensitivity compares what the user paid with the average list
// price of each item's category: 1 − mean(paid ÷ category average),
// bounded to [-0.5, 0.5]; 0 without purchases.
func (e *Engine) priceSensitivity(u *features.User) float64 {
	var ratio float64
	n := 0
	u.Recent(0, func(x features.Interaction) bool {
		if x.Kind == features.Purchase && x.Value > 0 {
			if avg := e.categoryPrice[e.catalog.Item(x.Item).LeafCategory()].mean(); avg > 0 {
				ratio += float64(x.Value) / avg
				n++
			}
		}
		return true
	})
	if n == 0 {
		return 0
	}
	return math.Max(-0.5, math.Min(0.5, 1-ratio/float64(n)))
}

// NewRequestID returns a unique id naming the slot and variant of an
// answer, so that events carrying it can be attributed (attribution.go).
// A cache serving a stored answer gives each copy a new one.
func (e *Engine) NewRequestID(slot, variant string) string {
	return string(e.AppendRequestID(make([]byte, 0, 48), slot, variant))
}

// AppendRequestID appends a new request id (see NewRequestID) to dst:
// for callers that write it straight into a response.
func (e *Engine) AppendRequestID(dst []byte, slot, variant string) []byte {
	seq := e.requestSeq.Add(1)
	b := dst
	b = append(b, "r-"...)
	b = append(b, e.requestEpoch...)
	b = append(b, '-')
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, '~')
	b = append(b, slot...)
	b = append(b, '~')
	b = append(b, variant...)
	return b
}
