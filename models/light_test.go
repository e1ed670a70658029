package models

import (
	"fmt"
	"slices"
	"testing"

	"reco/features"
)

// TestLightQueriesExpandLess: a light query (Query.Light) makes item-kNN
// expand only each seed's best LightNeighbors and content build its
// profile from the first LightSeeds seeds; a full query, as configured.
func TestLightQueriesExpandLess(t *testing.T) {
	// Item-kNN: item 0's ten partners, partner b weighing b (10 first).
	cooc := features.NewCoOccurrence(100, 0)
	cooc.AddOccurrence(0, 1)
	for b := features.ItemID(1); b <= 10; b++ {
		cooc.AddOccurrence(b, 1)
		cooc.AddPair(0, b, float32(b))
	}
	knn := NewItemKNN(cooc, ItemKNNConfig{Shrink: 1, LightNeighbors: 3})
	knn.Grow(11)

	// Content: seeds 1..4, each sharing a tag with one partner (10+seed)
	// and nothing with the others.
	content := features.NewContent()
	for seed := 1; seed <= 4; seed++ {
		tag := fmt.Sprint("tag", seed)
		content.Set(features.ItemID(seed), &features.Item{Tags: []string{tag}})
		content.Set(features.ItemID(10+seed), &features.Item{Tags: []string{tag}})
	}
	cs := NewContentSimilarity(content, ContentSimilarityConfig{LightSeeds: 2})

	tests := []struct {
		name  string
		m     Scorer
		seeds []features.ItemID
		light bool
		want  []features.ItemID // touched, sorted
	}{
		{"itemknn full", knn, []features.ItemID{0}, false, []features.ItemID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"itemknn light", knn, []features.ItemID{0}, true, []features.ItemID{8, 9, 10}},
		{"content full", cs, []features.ItemID{1, 2, 3, 4}, false, []features.ItemID{1, 2, 3, 4, 11, 12, 13, 14}},
		{"content light", cs, []features.ItemID{1, 2, 3, 4}, true, []features.ItemID{1, 2, 11, 12}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := Query{Light: tt.light}
			for _, id := range tt.seeds {
				q.Seeds = append(q.Seeds, Seed{Item: id, Weight: 1})
			}
			var out Scores
			out.Reset(20)
			tt.m.Score(&q, &out)
			got := slices.Clone(out.Touched)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("scored %v, want %v", got, tt.want)
			}
		})
	}
}
