package engine

import (
	"math"
	"slices"
	"strings"
)

// Attribution: every answer's request_id names its slot and variant
// ("r-<epoch>-<seq>~<slot>~<variant>"), so an impression, click or purchase
// event that carries it is attributed without remembering any request.

// attributionKey identifies one slot and variant.
type attributionKey struct{ Slot, Variant string }

// attributionCounts are the outcomes attributed to one slot and variant.
type attributionCounts struct {
	Impressions, Clicks, Purchases int64
	Revenue, RevenueSq             float64
}

// parseRequestID returns the slot and variant a request id names.
func parseRequestID(id string) (attributionKey, bool) {
	parts := strings.Split(id, "~")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return attributionKey{}, false
	}
	return attributionKey{parts[1], parts[2]}, true
}

// attribute counts an interaction that carries a request id. Called under
// the write lock.
func (e *Engine) attribute(ev *Event, price float64) {
	key, ok := parseRequestID(ev.RequestID)
	if !ok {
		return
	}
	c := e.attribution[key]
	if c == nil {
		if len(e.attribution) >= maxAttributionKeys {
			return // a flood of made-up ids must not grow memory
		}
		c = &attributionCounts{}
		e.attribution[key] = c
	}
	switch ev.Type {
	case "impression":
		c.Impressions++
	case "click":
		c.Clicks++
	case "purchase":
		rev := price * float64(max(ev.Qty, 1))
		c.Purchases++
		c.Revenue += rev
		c.RevenueSq += rev * rev
	}
}

// maxAttributionKeys bounds the slot × variant pairs tracked.
const maxAttributionKeys = 1000

// VariantStats is the readout of one slot and variant (GET /v1/stats).
type VariantStats struct {
	Slot        string   `json:"slot"`
	Variant     string   `json:"variant"`
	Control     bool     `json:"control"`
	Impressions int64    `json:"impressions"`
	Clicks      int64    `json:"clicks"`
	Purchases   int64    `json:"purchases"`
	Revenue     float64  `json:"revenue"`
	CTR         Estimate `json:"ctr"`
	Conversion  Estimate `json:"conversion"` // purchases per impression
	RPM         Estimate `json:"rpm"`        // revenue per thousand impressions
	// VsControl compares with the slot's control (absent for the control).
	VsControl *Comparison `json:"vs_control,omitempty"`
}

// Estimate is a rate with its 95 % confidence interval.
type Estimate struct {
	Value float64 `json:"value"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
}

// Comparison holds two-sided p-values of the differences to control.
type Comparison struct {
	Control          string  `json:"control"`
	CTRPValue        float64 `json:"ctr_p_value"`
	ConversionPValue float64 `json:"conversion_p_value"`
	RPMPValue        float64 `json:"rpm_p_value"`
	// Significant is true when any p-value is below 0.05.
	Significant bool `json:"significant"`
}

// VariantReport returns the attributed outcomes per slot and variant,
// each variant tested against its experiment's control.
func (e *Engine) VariantReport() []VariantStats {
	e.mu.RLock()
	counts := make(map[attributionKey]attributionCounts, len(e.attribution))
	for k, v := range e.attribution {
		counts[k] = *v
	}
	e.mu.RUnlock()
	controlOf := func(slot string) string {
		if x, _ := e.assign(slot, ""); x != nil {
			return x.Variants[0].Name
		}
		return DefaultVariant
	}
	out := []VariantStats{} // an empty list, not null, before any attribution
	for k, c := range counts {
		vs := VariantStats{Slot: k.Slot, Variant: k.Variant, Impressions: c.Impressions, Clicks: c.Clicks,
			Purchases: c.Purchases, Revenue: round(c.Revenue, 2)}
		vs.CTR = wilson(c.Clicks, c.Impressions)
		vs.Conversion = wilson(c.Purchases, c.Impressions)
		vs.RPM = rpm(c)
		ctl := controlOf(k.Slot)
		vs.Control = k.Variant == ctl
		if cc, ok := counts[attributionKey{k.Slot, ctl}]; ok && !vs.Control {
			cmp := &Comparison{Control: ctl,
				CTRPValue:        twoProportionP(c.Clicks, c.Impressions, cc.Clicks, cc.Impressions),
				ConversionPValue: twoProportionP(c.Purchases, c.Impressions, cc.Purchases, cc.Impressions),
				RPMPValue:        meanDiffP(c, cc),
			}
			cmp.Significant = min(cmp.CTRPValue, cmp.ConversionPValue, cmp.RPMPValue) < 0.05
			vs.VsControl = cmp
		}
		out = append(out, vs)
	}
	slices.SortFunc(out, func(a, b VariantStats) int {
		if a.Slot != b.Slot {
			return strings.Compare(a.Slot, b.Slot)
		}
		if a.Control != b.Control {
			if a.Control {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Variant, b.Variant)
	})
	return out
}

// wilson is the Wilson score interval of k successes in n trials: unlike
// the normal approximation it stays inside [0, 1] for rare events.
func wilson(k, n int64) Estimate {
	if n == 0 {
		return Estimate{}
	}
	const z = 1.959964
	p := float64(k) / float64(n)
	nf := float64(n)
	den := 1 + z*z/nf
	mid := (p + z*z/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / den
	return Estimate{Value: round(p, 6), Low: round(math.Max(0, mid-half), 6), High: round(math.Min(1, mid+half), 6)}
}

// rpm estimates revenue per thousand impressions with a normal interval
// over per-impression revenue (zero for impressions without a purchase).
func rpm(c attributionCounts) Estimate {
	if c.Impressions == 0 {
		return Estimate{}
	}
	n := float64(c.Impressions)
	mean := c.Revenue / n
	sd := math.Sqrt(math.Max(0, c.RevenueSq/n-mean*mean))
	half := 1.959964 * sd / math.Sqrt(n)
	return Estimate{Value: round(1000*mean, 2), Low: round(1000*math.Max(0, mean-half), 2), High: round(1000*(mean+half), 2)}
}

// twoProportionP is the two-sided p-value of the pooled z-test that two
// proportions are equal (1 when either side has no trials).
func twoProportionP(k1, n1, k2, n2 int64) float64 {
	if n1 == 0 || n2 == 0 {
		return 1
	}
	p1, p2 := float64(k1)/float64(n1), float64(k2)/float64(n2)
	p := float64(k1+k2) / float64(n1+n2)
	se := math.Sqrt(p * (1 - p) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return 1
	}
	return round(math.Erfc(math.Abs(p1-p2)/se/math.Sqrt2), 6)
}

// meanDiffP is the two-sided p-value of Welch's z-test on per-impression
// revenue.
func meanDiffP(a, b attributionCounts) float64 {
	if a.Impressions < 2 || b.Impressions < 2 {
		return 1
	}
	varOf := func(c attributionCounts) (mean, v float64) {
		n := float64(c.Impressions)
		mean = c.Revenue / n
		return mean, math.Max(0, c.RevenueSq/n-mean*mean) * n / (n - 1)
	}
	ma, va := varOf(a)
	mb, vb := varOf(b)
	se := math.Sqrt(va/float64(a.Impressions) + vb/float64(b.Impressions))
	if se == 0 {
		return 1
	}
	return round(math.Erfc(math.Abs(ma-mb)/se/math.Sqrt2), 6)
}

func round(x float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(x*p) / p
}
