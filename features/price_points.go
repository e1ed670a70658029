package features

import (
	"math"
	"slices"
)

// PricePoints remembers, per item, the units sold and the average price
// paid on each of the last pricePointDays days with sales, so that the
// price elasticity of demand can be estimated from the shop's own history.
type PricePoints struct {
	items []pricePointRing
}

// pricePointDays is how many days with sales are kept per item.
const pricePointDays = 30

type pricePoint struct {
	day     int32
	units   float32
	revenue float32
}

type pricePointRing struct {
	pts  [pricePointDays]pricePoint
	next uint8
	n    uint8
	// Sums over pts of x = log(average price), y = log(units), x², xy:
	// the regression's inputs. A sale changes one point, the last, so
	// its terms are taken out and put back, instead of 60 logarithms
	// over every point again (1.5 µs and two allocations for each
	// purchase the applier applied; most purchases are of an item
	// already sold that day). A new day sums the points afresh, so
	// rounding cannot build up beyond one day's sales.
	sx, sy, sxx, sxy float64
	// The estimate from pts, computed when a sale is added (rare) rather
	// than on every answer that shows the item (often).
	elasticity    float64
	hasElasticity bool
}

// logs returns the point's regression coordinates: log(average price)
// and log(units).
func (pt pricePoint) logs() (x, y float64) {
	return math.Log(float64(pt.revenue / pt.units)), math.Log(float64(pt.units))
}

// addTerms adds the point's terms to the sums, times sign (1 or -1).
func (r *pricePointRing) addTerms(pt pricePoint, sign float64) {
	x, y := pt.logs()
	r.sx += sign * x
	r.sy += sign * y
	r.sxx += sign * x * x
	r.sxy += sign * x * y
}

// resum sums the terms of every point afresh.
func (r *pricePointRing) resum() {
	r.sx, r.sy, r.sxx, r.sxy = 0, 0, 0, 0
	for i := 0; i < int(r.n); i++ {
		r.addTerms(r.pts[i], 1)
	}
}

// Add records units sold at price on the day of ts.
func (p *PricePoints) Add(id ItemID, ts int64, units, price float64) {
	if price <= 0 || units <= 0 {
		return
	}
	for int(id) >= len(p.items) {
		p.items = append(p.items, pricePointRing{})
	}
	r := &p.items[id]
	day := int32(ts / msPerDay)
	if r.n > 0 {
		last := &r.pts[(int(r.next)+pricePointDays-1)%pricePointDays]
		if last.day == day {
			r.addTerms(*last, -1)
			last.units += float32(units)
			last.revenue += float32(units * price)
			r.addTerms(*last, 1)
			r.estimate()
			return
		}
	}
	r.pts[r.next] = pricePoint{day: day, units: float32(units), revenue: float32(units * price)}
	r.next = uint8((int(r.next) + 1) % pricePointDays)
	if r.n < pricePointDays {
		r.n++
	}
	r.resum()
	r.estimate()
}

// An estimate needs this many days with sales and units in total: below
// that, day-to-day noise in a handful of sales swamps any price effect.
const (
	minPricePointDays  = 5
	minPricePointUnits = 30
)

// Elasticity returns the price elasticity of demand of item id estimated
// from its days with sales; ok is false when there is nothing to estimate
// from (see estimate).
func (p *PricePoints) Elasticity(id ItemID) (elasticity float64, ok bool) {
	if int(id) >= len(p.items) {
		return 0, false
	}
	r := &p.items[id]
	return r.elasticity, r.hasElasticity
}

// estimate sets the ring's elasticity: the least-squares slope of
// log(daily units) against log(average price) over its days with sales
// (a log-log regression, from the sums). There is none with too few days
// or units, fewer than three distinct prices, or prices varying by under
// 2 %.
func (r *pricePointRing) estimate() {
	r.elasticity, r.hasElasticity = 0, false
	if r.n < minPricePointDays {
		return
	}
	var distinct [pricePointDays]float32
	nDistinct := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	var units float64
	for i := 0; i < int(r.n); i++ {
		pt := r.pts[i]
		price := float64(pt.revenue / pt.units)
		lo, hi = math.Min(lo, price), math.Max(hi, price)
		units += float64(pt.units)
		cents := float32(math.Round(price*100) / 100)
		if !slices.Contains(distinct[:nDistinct], cents) {
			distinct[nDistinct] = cents
			nDistinct++
		}
	}
	if nDistinct < 3 || hi < lo*1.02 || units < minPricePointUnits {
		return
	}
	n := float64(r.n)
	varX := n*r.sxx - r.sx*r.sx // n² times the variance of x
	if varX <= 0 {
		return
	}
	r.elasticity, r.hasElasticity = (n*r.sxy-r.sx*r.sy)/varX, true
}
