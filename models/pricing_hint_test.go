package models

import (
	"math/rand/v2"
	"testing"
)

func TestPricingHintCases(t *testing.T) {
	p := NewPricing(PricingConfig{MaxDiscountPct: 20, MinMarginPct: 10})
	tests := []struct {
		name   string
		in     PricingInput
		action string
	}{
		{"overstocked slow seller", PricingInput{Price: 100, Stock: 500, SalesPerDay: 0.5, ViewsPerDay: 40}, "discount"},
		{"no sales, plenty of stock", PricingInput{Price: 100, Stock: 200}, "discount"},
		{"fast seller, low stock", PricingInput{Price: 100, Stock: 5, SalesPerDay: 4, ViewsPerDay: 20}, "premium"},
		{"low stock, poor conversion", PricingInput{Price: 100, Stock: 5, SalesPerDay: 1, ViewsPerDay: 200}, "keep"},
		{"balanced", PricingInput{Price: 100, Stock: 60, SalesPerDay: 3, ViewsPerDay: 30}, "keep"},
		{"unknown stock", PricingInput{Price: 100, Stock: -1, SalesPerDay: 0}, "keep"},
		{"unknown price", PricingInput{Stock: 500}, "keep"},
		{"margin floor leaves no room", PricingInput{Price: 100, Cost: 95, Stock: 900}, "keep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := p.Hint(tt.in)
			if h.Action != tt.action {
				t.Fatalf("Hint(%+v) = %+v, want action %s", tt.in, h, tt.action)
			}
			if tt.action != "premium" && h.Signals.Urgency && tt.action == "discount" {
				t.Fatal("a discounted item must not be urgent")
			}
		})
	}
}

// TestPricingHintGuardrails checks on random inputs that no hint breaks
// the guardrails and that the same input always gives the same hint.
func TestPricingHintGuardrails(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, cfg := range []PricingConfig{{MaxDiscountPct: 30, MinMarginPct: 10}, {MaxDiscountPct: 5, MinMarginPct: 40}} {
		p := NewPricing(cfg)
		for i := 0; i < 20000; i++ {
			in := PricingInput{
				Price:       1 + rng.Float64()*1000,
				Stock:       rng.IntN(2000) - 1,
				SalesPerDay: rng.ExpFloat64() * 3,
				ViewsPerDay: rng.ExpFloat64() * 50,
			}
			if rng.IntN(2) == 0 {
				in.Cost = in.Price * rng.Float64() * 1.2
			}
			h := p.Hint(in)
			if h != p.Hint(in) {
				t.Fatalf("Hint(%+v) is not deterministic", in)
			}
			switch h.Action {
			case "discount":
				if h.DiscountPct <= 0 || h.DiscountPct > cfg.MaxDiscountPct {
					t.Fatalf("Hint(%+v): discount %v outside (0, %v]", in, h.DiscountPct, cfg.MaxDiscountPct)
				}
				if in.Cost > 0 && (h.SuggestedPrice-in.Cost)/h.SuggestedPrice < cfg.MinMarginPct/100-1e-9 {
					t.Fatalf("Hint(%+v): suggested %v leaves less than %v%% margin", in, h.SuggestedPrice, cfg.MinMarginPct)
				}
				if h.SuggestedPrice >= in.Price {
					t.Fatalf("Hint(%+v): discount to %v is not below the price", in, h.SuggestedPrice)
				}
			case "premium":
				if h.SuggestedPrice <= in.Price || !h.Signals.Urgency {
					t.Fatalf("Hint(%+v): premium %+v", in, h)
				}
			case "keep":
				if h.DiscountPct != 0 {
					t.Fatalf("Hint(%+v): keep with a discount", in)
				}
			default:
				t.Fatalf("unknown action %q", h.Action)
			}
		}
	}
}
