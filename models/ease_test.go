package models

import (
	"context"
	"testing"

	"reco/features"
)

// TestEASERecoversPlantedPairs: users who take item 2k also take 2k+1.
// Seeded with 2k, the model must rank 2k+1 first.
func TestEASERecoversPlantedPairs(t *testing.T) {
	var rows [][]Seed
	for u := 0; u < 200; u++ {
		a := features.ItemID(2 * (u % 10))
		noise := features.ItemID(20 + u%7)
		rows = append(rows, []Seed{{a, 1}, {a + 1, 1}, {noise, 1}})
	}
	m, err := TrainEASE(context.Background(), rows, EASEConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Items() != 27 {
		t.Fatalf("model has %d items, want 27", m.Items())
	}
	for k := features.ItemID(0); k < 10; k++ {
		var s Scores
		s.Reset(30)
		m.Score(&Query{Seeds: []Seed{{2 * k, 1}}}, &s)
		best, bestV := features.ItemID(0), float32(-1)
		for _, id := range s.Touched {
			if v := s.Get(id); v > bestV && id != 2*k {
				best, bestV = id, v
			}
		}
		if best != 2*k+1 {
			t.Fatalf("seed %d: best %d (%v), want %d", 2*k, best, bestV, 2*k+1)
		}
	}
}

func TestEASERejectsTooLittleData(t *testing.T) {
	if _, err := TrainEASE(context.Background(), [][]Seed{{{1, 1}}}, EASEConfig{}); err == nil {
		t.Fatal("training on one item succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rows := [][]Seed{{{1, 1}, {2, 1}}, {{1, 1}, {2, 1}}}
	if _, err := TrainEASE(ctx, rows, EASEConfig{}); err == nil {
		t.Fatal("training with a cancelled context succeeded")
	}
}
