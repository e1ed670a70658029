package features

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestElasticityRecoversPlantedCurve plants demand q = 500 · (p/10)^e with
// ±10 % multiplicative noise over 30 days of prices between 6 and 15; the
// estimate must land within ±0.25 of e.
func TestElasticityRecoversPlantedCurve(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, planted := range []float64{-0.4, -1.2, -2.5} {
		var p PricePoints
		for day := 0; day < 30; day++ {
			price := 6 + 9*rng.Float64()
			units := math.Round(500 * math.Pow(price/10, planted) * (0.9 + 0.2*rng.Float64()))
			p.Add(7, int64(day)*msPerDay+1000, units, price)
		}
		got, ok := p.Elasticity(7)
		if !ok {
			t.Fatalf("planted %v: no estimate", planted)
		}
		t.Logf("planted elasticity %.2f, estimated %.3f", planted, got)
		if math.Abs(got-planted) > 0.25 {
			t.Fatalf("planted %v, estimated %v: outside ±0.25", planted, got)
		}
	}
}

func TestElasticityNeedsPriceVariation(t *testing.T) {
	var p PricePoints
	for day := 0; day < 10; day++ {
		p.Add(1, int64(day)*msPerDay, float64(10+day), 9.99)
	}
	if _, ok := p.Elasticity(1); ok {
		t.Fatal("an estimate from a single price")
	}
	if _, ok := p.Elasticity(99); ok {
		t.Fatal("an estimate for an item never sold")
	}
}

func TestWeeklyCountsAreExact(t *testing.T) {
	var w WeeklyCounts
	for day := int64(0); day < 20; day++ {
		w.Add(3, day*msPerDay+5, 2)
	}
	if n := w.Last7Days(3, 19*msPerDay+10); n != 14 {
		t.Fatalf("last 7 days = %d, want 14", n)
	}
	if n := w.Last7Days(3, 40*msPerDay); n != 0 {
		t.Fatalf("three weeks later = %d, want 0", n)
	}
}
