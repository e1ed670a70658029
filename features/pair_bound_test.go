package features

import (
	"math/rand/v2"
	"testing"
)

// TestPairBoundBoundsEveryPair checks PairBound against every pair of every
// row after adds, prunes, rescales and forgotten items: never below a pair,
// and equal to the strongest one while no weight went down (the strongest
// pair survives a prune, and a rescale scales both alike); a negative
// contribution or a forgotten item may leave it above every pair.
func TestPairBoundBoundsEveryPair(t *testing.T) {
	tests := []struct {
		name     string
		maxRow   int
		halfLife int64 // ms; events 1 ms apart, so a small one rescales
		negative bool  // some contributions are negative (removed from cart)
		forget   bool  // forget some items: the bound may then exceed the rows
	}{
		{name: "adds", maxRow: 1000},
		{name: "pruned rows", maxRow: 8},
		{name: "rescaled", maxRow: 1000, halfLife: 20},
		{name: "pruned and rescaled", maxRow: 8, halfLife: 20},
		{name: "negative contributions", maxRow: 8, negative: true},
		{name: "forgotten items", maxRow: 8, forget: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 11))
			c := NewCoOccurrence(tt.maxRow, tt.halfLife)
			const items = 40
			rescaled := false
			for ts := int64(0); ts < 3000; ts++ {
				base := c.baseTS
				boost := c.Boost(ts)
				rescaled = rescaled || c.baseTS != base
				w := float32(1 + rng.IntN(4))
				if tt.negative && rng.IntN(5) == 0 {
					w = -w
				}
				a, b := ItemID(rng.IntN(items)), ItemID(rng.IntN(items))
				if a != b {
					c.AddPair(a, b, w*boost)
				}
				if tt.forget && ts%400 == 399 {
					c.Forget(ItemID(rng.IntN(items)))
				}
			}
			if tt.halfLife > 0 && !rescaled {
				t.Fatal("the stream never rescaled the table")
			}
			for a := ItemID(0); a < items; a++ {
				strongest := float32(0)
				c.EachPartner(a, func(b ItemID, w float32) {
					if w > c.PairBound(a) {
						t.Fatalf("Pair(%d, %d) = %v exceeds PairBound(%d) = %v", a, b, w, a, c.PairBound(a))
					}
					strongest = max(strongest, w)
				})
				if !tt.negative && !tt.forget && c.PairBound(a) != strongest {
					t.Errorf("PairBound(%d) = %v, want the strongest pair %v", a, c.PairBound(a), strongest)
				}
			}
		})
	}
}
