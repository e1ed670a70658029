package models

import "math"

// PricingConfig holds the guardrails of pricing hints.
type PricingConfig struct {
	// MaxDiscountPct caps any suggested discount, in percent. Default 30.
	MaxDiscountPct float64
	// MinMarginPct is the smallest margin (price-cost)/price, in percent,
	// a suggested price may leave when the item's cost is known. Default 10.
	MinMarginPct float64
	// OverstockDays is the days of cover beyond which stock is pressing
	// and a discount is suggested. Default 60.
	OverstockDays float64
	// ScarceDays is the days of cover under which stock is scarce: no
	// discount, and a premium when demand converts well. Default 7.
	ScarceDays float64
	// PremiumPct is the price increase suggested for scarce, well-converting
	// items, in percent. Default 5.
	PremiumPct float64
}

func (c *PricingConfig) defaults() {
	if c.MaxDiscountPct == 0 {
		c.MaxDiscountPct = 30
	}
	if c.MinMarginPct == 0 {
		c.MinMarginPct = 10
	}
	if c.OverstockDays == 0 {
		c.OverstockDays = 60
	}
	if c.ScarceDays == 0 {
		c.ScarceDays = 7
	}
	if c.PremiumPct == 0 {
		c.PremiumPct = 5
	}
}

// PricingInput is what the engine knows about an item's price and demand.
type PricingInput struct {
	Price       float64 // list price; 0 = unknown
	Cost        float64 // 0 = unknown
	Stock       int     // -1 = unknown
	SalesPerDay float64 // time-decayed purchase rate
	ViewsPerDay float64 // time-decayed view rate
	// Elasticity is the estimated price elasticity of demand (log-log
	// slope, usually negative), valid when HasElasticity.
	Elasticity    float64
	HasElasticity bool
	// UserSensitivity is how price-sensitive the asking user is, in
	// [-0.5, 0.5]: positive for shoppers who pay below their categories'
	// average prices, negative for those who pay above, 0 when unknown.
	UserSensitivity float64
}

// PricingSignals are the figures a hint was derived from, returned with it
// so that a merchandiser can see why.
type PricingSignals struct {
	SalesPerDay float64 `json:"sales_per_day"`
	Conversion  float64 `json:"conversion"`
	DaysOfCover float64 `json:"days_of_cover"` // -1 = unknown stock or no sales
	Stock       int     `json:"stock"`
	Urgency     bool    `json:"urgency"`
	// Elasticity is null until the item sold at three distinct prices.
	Elasticity      *float64 `json:"elasticity"`
	UserSensitivity float64  `json:"user_price_sensitivity"`
}

// PricingHint is a suggested price action for one item. It is a hint, never
// an enforced price.
type PricingHint struct {
	Action         string         `json:"action"` // keep, discount or premium
	DiscountPct    float64        `json:"discount_pct"`
	SuggestedPrice float64        `json:"suggested_price"`
	Signals        PricingSignals `json:"signals"`
}

// Pricing computes hints; it is deterministic: same input, same hint.
type Pricing struct{ cfg PricingConfig }

// NewPricing returns a hint calculator with the given guardrails.
func NewPricing(cfg PricingConfig) *Pricing {
	cfg.defaults()
	return &Pricing{cfg: cfg}
}

// Config returns the guardrails in use.
func (p *Pricing) Config() PricingConfig { return p.cfg }

// Hint returns the pricing hint for in.
func (p *Pricing) Hint(in PricingInput) PricingHint {
	if !in.HasElasticity {
		return p.HintInto(in, nil)
	}
	return p.HintInto(in, new(float64))
}

// HintInto is Hint with the hint's elasticity (when in has one) stored in
// *elasticity, which the hint then points to: an answer passes one array
// for all its items instead of an allocation per item. elasticity may be
// nil when in has none.
func (p *Pricing) HintInto(in PricingInput, elasticity *float64) PricingHint {
	sig := PricingSignals{SalesPerDay: round(in.SalesPerDay, 3), Stock: in.Stock, DaysOfCover: -1}
	// Laplace-smoothed so that one lucky sale on two views is not "50 %".
	sig.Conversion = round((in.SalesPerDay+0.01)/(in.ViewsPerDay+1), 4)
	sig.UserSensitivity = round(in.UserSensitivity, 2)
	if in.HasElasticity {
		*elasticity = round(in.Elasticity, 2)
		sig.Elasticity = elasticity
	}
	h := PricingHint{Action: "keep", SuggestedPrice: round(in.Price, 2), Signals: sig}
	if in.Price <= 0 || in.Stock < 0 {
		return h
	}
	// Days of cover: stock ÷ sell-through. With no sales at all, treat the
	// rate as one sale per OverstockDays so that idle stock reads as pressing.
	rate := in.SalesPerDay
	if rate <= 0 {
		rate = 1 / p.cfg.OverstockDays
	}
	cover := float64(in.Stock) / rate
	h.Signals.DaysOfCover = round(cover, 1)
	switch {
	case cover < p.cfg.ScarceDays:
		h.Signals.Urgency = true
		// Inelastic demand, or unknown: a premium costs few sales. Elastic
		// demand (below -1.5): keep the price.
		if in.SalesPerDay > 0 && sig.Conversion >= 0.05 && !(in.HasElasticity && in.Elasticity < -1.5) {
			h.Action = "premium"
			h.SuggestedPrice = round(in.Price*(1+p.cfg.PremiumPct/100), 2)
		}
	case cover > p.cfg.OverstockDays:
		// Grows with the excess cover: +5 points per further OverstockDays.
		pct := 5 + 5*(cover-p.cfg.OverstockDays)/p.cfg.OverstockDays
		if in.HasElasticity {
			switch {
			case in.Elasticity < -1.5: // elastic: a discount sells much more
				pct *= 1.25
			case in.Elasticity > -0.5: // inelastic: a discount mostly loses margin
				pct *= 0.5
			}
		}
		// Price-sensitive shoppers get more of it, premium buyers less.
		pct *= 1 + math.Max(-0.5, math.Min(0.5, in.UserSensitivity))
		pct = math.Min(pct, p.cfg.MaxDiscountPct)
		if in.Cost > 0 {
			floor := in.Cost / (1 - p.cfg.MinMarginPct/100)
			maxPct := (1 - floor/in.Price) * 100
			pct = math.Min(pct, maxPct)
		}
		pct = math.Floor(pct)
		if pct >= 1 {
			h.Action = "discount"
			h.DiscountPct = pct
			// Rounded up to the cent so rounding never crosses the margin floor.
			h.SuggestedPrice = math.Ceil(in.Price*(100-pct)-1e-9) / 100
		}
	}
	return h
}

func round(x float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(x*p) / p
}
