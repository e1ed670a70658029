package engine

import (
	"math/rand/v2"
	"testing"

	"reco/features"
	"reco/models"
)

// TestStrongestSeedProbesOnlyWhatCanWin compares strongestSeed with the
// scan it replaces — every seed probed, the first with the strictly largest
// pair × weight kept — on random tables and seed lists whose small integer
// weights make ties common, in pairs as in bounds. It also checks that the
// bounds spare probes, or the ordering would be pure cost.
func TestStrongestSeedProbesOnlyWhatCanWin(t *testing.T) {
	tests := []struct {
		name   string
		maxRow int // 8: rows pruned hard, so many pairs are absent
		items  int
	}{
		{name: "dense rows", maxRow: 1000, items: 30},
		{name: "pruned rows", maxRow: 8, items: 30},
		{name: "items without rows", maxRow: 1000, items: 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 5))
			probes, skipped := 0, 0
			for round := 0; round < 200; round++ {
				cooc := features.NewCoOccurrence(tt.maxRow, 0)
				for range 300 {
					a, b := features.ItemID(rng.IntN(30)), features.ItemID(rng.IntN(30))
					if a != b {
						cooc.AddPair(a, b, float32(1+rng.IntN(3)))
					}
				}
				seeds := make([]models.Seed, 1+rng.IntN(reasonSeeds))
				for i := range seeds {
					seeds[i] = models.Seed{Item: features.ItemID(rng.IntN(tt.items)), Weight: float32(1 + rng.IntN(3))}
				}
				order := orderReasonSeeds(nil, cooc, seeds)
				for id := features.ItemID(0); id < 30; id++ {
					want, best := -1, float32(0)
					for i, sd := range seeds {
						if c := cooc.Pair(sd.Item, id); c*sd.Weight > best {
							want, best = i, c*sd.Weight
						}
					}
					if got := strongestSeed(cooc, seeds, order, id); got != want {
						t.Fatalf("round %d, item %d: strongestSeed = %d, want %d (seeds %v)", round, id, got, want, seeds)
					}
					probes += len(seeds)
					for _, r := range order {
						if r.bound <= 0 || r.bound < best {
							skipped++
						}
					}
				}
			}
			if skipped == 0 {
				t.Fatalf("no probe of %d could be skipped", probes)
			}
			t.Logf("%d of %d probes skippable", skipped, probes)
		})
	}
}
