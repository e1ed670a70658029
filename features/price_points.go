package features

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
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
	// The estimate from pts, computed when a sale is added (rare) rather
	// than on every answer that shows the item (often).
	elasticity    float64
	hasElasticity bool
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
			last.units += float32(units)
			last.revenue += float32(units * price)
			r.estimate()
			return
		}
	}
	r.pts[r.next] = pricePoint{day: day, units: float32(units), revenue: float32(units * price)}
	r.next = uint8((int(r.next) + 1) % pricePointDays)
	if r.n < pricePointDays {
		r.n++
	}
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

// estimate sets the ring's elasticity: the slope of log(daily units)
// against log(average price) over its days with sales (a log-log
// regression, gonum/stat). There is none with too few days or units, fewer
// than three distinct prices, or prices varying by under 2 %.
func (r *pricePointRing) estimate() {
	r.elasticity, r.hasElasticity = 0, false
	if r.n < minPricePointDays {
		return
	}
	var xs, ys [pricePointDays]float64
	var distinct [pricePointDays]float32
	nDistinct := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	var units float64
	for i := 0; i < int(r.n); i++ {
		pt := r.pts[i]
		price := float64(pt.revenue / pt.units)
		xs[i], ys[i] = math.Log(price), math.Log(float64(pt.units))
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
	_, slope := stat.LinearRegression(xs[:r.n], ys[:r.n], nil, false)
	r.elasticity, r.hasElasticity = slope, true
}
