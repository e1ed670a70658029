package engine

import (
	"math"
	"slices"

	"reco/features"
)

// Bundle is a set of items offered together at a price.
type Bundle struct {
	Items       []string `json:"items"`
	Score       float64  `json:"score"`
	Support     float64  `json:"support"`    // baskets holding every pair of the bundle (the weakest pair)
	Confidence  float64  `json:"confidence"` // P(rest | first item), weakest pair
	Lift        float64  `json:"lift"`       // weakest pair
	ListPrice   float64  `json:"list_price"`
	BundlePrice float64  `json:"bundle_price"`
	DiscountPct float64  `json:"discount_pct"`
	Reasons     []string `json:"reasons"`
}

// pairRule is one mined association a → c.
type pairRule struct {
	item                      features.ItemID
	support, confidence, lift float64
}

// bundles mines pairs and triples around the anchors from the basket
// counts, keeping those above the support, confidence and lift thresholds,
// and prices each within the guardrails.
func (e *Engine) bundles(s *scratch, req *Request, u *features.User) []Bundle {
	e.collectAnchors(s, u)
	var out []Bundle
	seen := map[string]bool{}
	for _, a := range s.anchors {
		if !e.catalog.Item(a).Recommendable() {
			continue
		}
		rules := e.rules(s, a, req)
		for i, r := range rules {
			out = e.addBundle(out, seen, []features.ItemID{a, r.item}, []pairRule{r})
			// Triples: two partners of a that also go together.
			for _, r2 := range rules[i+1:] {
				sup := e.baskets.Support(r.item, r2.item)
				lift := e.baskets.Lift(r.item, r2.item)
				if sup >= e.cfg.BundleMinSupport && lift >= e.cfg.BundleMinLift {
					conf := e.baskets.Confidence(r.item, r2.item)
					out = e.addBundle(out, seen, []features.ItemID{a, r.item, r2.item},
						[]pairRule{r, r2, {item: r2.item, support: sup, confidence: conf, lift: lift}})
				}
			}
		}
	}
	slices.SortStableFunc(out, func(x, y Bundle) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return 0
	})
	if len(out) > req.N {
		out = out[:req.N]
	}
	return out
}

// rules returns the partners of a that pass the thresholds and the
// request's filters, strongest first, at most bundleFanout of them.
func (e *Engine) rules(s *scratch, a features.ItemID, req *Request) []pairRule {
	var rules []pairRule
	e.baskets.EachPartner(a, func(c features.ItemID, support float64) {
		if support < e.cfg.BundleMinSupport || s.exclude.has(c) || !e.passes(c, req) {
			return
		}
		conf := e.baskets.Confidence(a, c)
		lift := e.baskets.Lift(a, c)
		if conf >= e.cfg.BundleMinConfidence && lift >= e.cfg.BundleMinLift {
			rules = append(rules, pairRule{item: c, support: support, confidence: conf, lift: lift})
		}
	})
	slices.SortFunc(rules, func(x, y pairRule) int {
		sx, sy := x.confidence*x.lift, y.confidence*y.lift
		switch {
		case sx > sy:
			return -1
		case sx < sy:
			return 1
		}
		return int(x.item) - int(y.item)
	})
	return rules[:min(len(rules), bundleFanout)]
}

// bundleFanout bounds the partners per anchor considered for bundles.
const bundleFanout = 8

func (e *Engine) addBundle(out []Bundle, seen map[string]bool, ids []features.ItemID, rules []pairRule) []Bundle {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = e.catalog.Item(id).ID
	}
	key := slices.Clone(names)
	slices.Sort(key)
	k := ""
	for _, n := range key {
		k += n + "\x00"
	}
	if seen[k] {
		return out
	}
	seen[k] = true
	b := Bundle{Items: names, Support: math.Inf(1), Confidence: math.Inf(1), Lift: math.Inf(1)}
	for _, r := range rules {
		b.Support = math.Min(b.Support, r.support)
		b.Confidence = math.Min(b.Confidence, r.confidence)
		b.Lift = math.Min(b.Lift, r.lift)
	}
	var cost float64
	costKnown := true
	for _, id := range ids {
		it := e.catalog.Item(id)
		b.ListPrice += it.Price
		cost += it.Cost
		costKnown = costKnown && it.Cost > 0
	}
	b.ListPrice = round2(b.ListPrice)
	pct := math.Min(e.cfg.BundleDiscountPct, e.pricing.Config().MaxDiscountPct)
	if costKnown && b.ListPrice > 0 {
		floor := cost / (1 - e.pricing.Config().MinMarginPct/100)
		pct = math.Min(pct, math.Floor((1-floor/b.ListPrice)*100))
	}
	pct = math.Max(0, pct)
	b.DiscountPct = pct
	b.BundlePrice = math.Ceil(b.ListPrice*(100-pct)-1e-9) / 100
	// Longer bundles raise the order value more; weaker rules less.
	b.Score = math.Round(b.Confidence*b.Lift*float64(len(ids))*1e4) / 1e4
	b.Reasons = []string{e.bundleReason(ids, b)}
	return append(out, b)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
