package features

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat"
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

// BenchmarkPricePointsAdd adds a day's sales of one item, one purchase at
// a time, after 29 earlier days: what a popular item's every purchase
// costs the applier.
func BenchmarkPricePointsAdd(b *testing.B) {
	var p PricePoints
	for day := 0; day < 29; day++ {
		p.Add(1, int64(day)*msPerDay, float64(20+day), 6+float64(day%7))
	}
	ts := int64(29) * msPerDay
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Add(1, ts+int64(i%1000), 1, 9.99+float64(i%3))
	}
}

// TestElasticityMatchesRegression checks the sums-based estimate against
// gonum's two-pass regression over the ring's points, through days of many
// sales each and the ring wrapping round: the sums must not drift from it.
func TestElasticityMatchesRegression(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var p PricePoints
	checked := 0
	for day := int64(0); day < 75; day++ {
		base := 5 + 20*rng.Float64()
		for sale := 0; sale < 1+rng.IntN(400); sale++ {
			p.Add(3, day*msPerDay+int64(sale), float64(1+rng.IntN(3)), base*(0.95+0.1*rng.Float64()))
			got, ok := p.Elasticity(3)
			r := &p.items[3]
			var xs, ys []float64
			for _, pt := range r.pts[:r.n] {
				x, y := pt.logs()
				xs, ys = append(xs, x), append(ys, y)
			}
			_, want := stat.LinearRegression(xs, ys, nil, false)
			if !ok {
				if r.n >= 5 && day > 10 {
					t.Fatalf("day %d, sale %d: no estimate from %d days", day, sale, r.n)
				}
				continue
			}
			if math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
				t.Fatalf("day %d, sale %d: elasticity %v, the regression's %v", day, sale, got, want)
			}
			checked++
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d estimates checked", checked)
	}
}

// TestElasticitySurvivesARestore exports price points and imports them,
// then adds the same sale to both: a restored ring must estimate as the
// one that never stopped, before and after the sale.
func TestElasticitySurvivesARestore(t *testing.T) {
	var p PricePoints
	rng := rand.New(rand.NewPCG(9, 10))
	for day := int64(0); day < 20; day++ {
		for sale := 0; sale < 5; sale++ {
			p.Add(2, day*msPerDay+int64(sale), 1+float64(rng.IntN(3)), 5+10*rng.Float64())
		}
	}
	restored := ImportPricePoints(p.Export())
	for _, step := range []string{"restored", "a sale the same day"} {
		want, wantOK := p.Elasticity(2)
		got, ok := restored.Elasticity(2)
		if !wantOK || ok != wantOK || math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
			t.Fatalf("%s: elasticity %v (%v), the running ring's %v (%v)", step, got, ok, want, wantOK)
		}
		p.Add(2, 19*msPerDay+100, 2, 7.5)
		restored.Add(2, 19*msPerDay+100, 2, 7.5)
	}
}
