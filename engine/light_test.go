package engine

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"

	"reco/models"
)

// TestBlendAsksLightOnlyOfOutweighedModels: a blend asks item-kNN and
// content for their light evaluation only when they weigh at most
// lightShare of the heaviest model it runs. Two engines fed the same
// events differ only in how light a light evaluation is (one neighbour
// and one seed, against everything): their feeds must differ where the
// models are light and be equal where they are not.
func TestBlendAsksLightOnlyOfOutweighedModels(t *testing.T) {
	similar := DefaultSimilarBlend()
	tests := []struct {
		name    string
		blend   models.BlendWeights
		trained bool
		light   bool
	}{
		{"feed blend, EASE trained", DefaultFeedBlend(), true, true},
		{"feed blend before the first training", DefaultFeedBlend(), false, false},
		{"similar blend on the feed", similar, true, false},
		{"item-kNN alone", models.BlendWeights{ItemKNN: 1}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shop := func(lightDepth int) *Engine {
				e := New(Config{
					Feed:    tt.blend,
					ItemKNN: models.ItemKNNConfig{LightNeighbors: lightDepth},
					Content: models.ContentSimilarityConfig{LightSeeds: lightDepth},
					Logger:  slog.New(slog.DiscardHandler),
				})
				applyBrowsingShop(t, e)
				if tt.trained {
					if err := e.Train(t.Context()); err != nil {
						t.Fatal(err)
					}
				}
				return e
			}
			shallow, deep := shop(1), shop(1000)
			differ := 0
			for u := range 60 {
				req := func() *Request { return &Request{Slot: SlotFeed, User: fmt.Sprint("u", u)} }
				a, err := shallow.Recommend(req())
				if err != nil {
					t.Fatal(err)
				}
				b, err := deep.Recommend(req())
				if err != nil {
					t.Fatal(err)
				}
				if len(a.Items) == 0 {
					t.Fatalf("user u%d: empty feed", u)
				}
				if !slices.EqualFunc(a.Items, b.Items, func(x, y Item) bool { return x.Item == y.Item && x.Score == y.Score }) {
					differ++
				}
			}
			if tt.light && differ == 0 {
				t.Fatalf("every feed equal with light depth 1 and 1000: the models were not asked light")
			}
			if !tt.light && differ > 0 {
				t.Fatalf("%d of 60 feeds differ with light depth 1 and 1000: a model was asked light", differ)
			}
		})
	}
}

// applyBrowsingShop applies a small shop's catalog (40 items, 4
// categories, tags shared across them) and 60 users' 15 views each.
func applyBrowsingShop(t *testing.T, e *Engine) {
	t.Helper()
	ts := int64(1_750_000_000_000)
	for i := range 40 {
		mustApply(t, e, Event{Type: TypeItem, Item: fmt.Sprint("i", i), Title: fmt.Sprint("Item ", i),
			Categories: []string{fmt.Sprint("c", i%4)}, Tags: []string{fmt.Sprint("t", i%7), fmt.Sprint("t", 7+i%5)},
			Price: float64(10 + i), TS: ts})
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for u := range 60 {
		home := rng.IntN(4) // users favour one category
		for range 15 {
			i := home + 4*rng.IntN(10)
			if rng.IntN(4) == 0 {
				i = rng.IntN(40)
			}
			ts += 1000
			mustApply(t, e, Event{Type: "view", User: fmt.Sprint("u", u), Item: fmt.Sprint("i", i), TS: ts})
		}
	}
}
