package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"reco/features"
)

// TestLightQueriesExpandLess: a light query (Query.Light) makes item-kNN
// expand only the first LightSeeds seeds' best LightNeighbors and content
// add the neighbours of its first LightSeeds seeds; a full query, as
// configured.
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
	oneSeed := NewItemKNN(cooc, ItemKNNConfig{Shrink: 1, LightNeighbors: 3, LightSeeds: 1})
	oneSeed.Grow(11)

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
		{"itemknn light, first seed only", oneSeed, []features.ItemID{0, 3}, true, []features.ItemID{8, 9, 10}},
		{"itemknn full, every seed", oneSeed, []features.ItemID{0, 3}, false, []features.ItemID{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
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

// TestLightContentIsTheProfileCosine: a light content query adds each
// seed's kept neighbours, weight × cosine. Untruncated, that is the
// profile's scoring up to the profile's norm, which normalising divides
// out; truncated, each seed adds its LightNeighbors best.
func TestLightContentIsTheProfileCosine(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	content := features.NewContent()
	const items = 60
	for i := range items {
		it := &features.Item{Categories: []string{fmt.Sprint("c", i%5)}, Brand: fmt.Sprint("b", i%7)}
		for range rng.IntN(3) {
			it.Tags = append(it.Tags, fmt.Sprint("t", rng.IntN(12)))
		}
		content.Set(features.ItemID(i), it)
	}
	q := Query{Seeds: []Seed{{3, 1}, {17, 0.5}, {40, 0.25}}}
	score := func(m *ContentSimilarity, light bool) Scores {
		var out Scores
		out.Reset(items)
		q.Light = light
		m.Score(&q, &out)
		return out
	}
	full := score(NewContentSimilarity(content, ContentSimilarityConfig{}), false)
	whole := NewContentSimilarity(content, ContentSimilarityConfig{LightNeighbors: items})
	whole.Grow(items)
	light := score(whole, true)
	if len(light.Touched) != len(full.Touched) {
		t.Fatalf("light query scored %d items, the profile %d", len(light.Touched), len(full.Touched))
	}
	ratio := full.Max() / light.Max()
	for _, id := range full.Touched {
		if got, want := light.Get(id)*ratio, full.Get(id); math.Abs(float64(got-want)) > 1e-5*float64(full.Max()) {
			t.Fatalf("item %d: light %v × %v, profile %v", id, light.Get(id), ratio, want)
		}
	}

	few := NewContentSimilarity(content, ContentSimilarityConfig{LightNeighbors: 4})
	few.Grow(items)
	if got := score(few, true); len(got.Touched) > 3*4 {
		t.Fatalf("3 seeds with 4 neighbours each scored %d items", len(got.Touched))
	}
	for _, sd := range q.Seeds {
		nb := few.neighbors(sd.Item)
		if len(nb) != 4 || nb[0].Item != sd.Item {
			t.Fatalf("neighbours of %d: %+v, want 4 with the seed itself first", sd.Item, nb)
		}
	}
}

// TestLightContentListsFollowTheIndex: a kept list is used while the
// content index is unchanged, and once it changed, until LightMaxAge
// has passed since the list was computed.
func TestLightContentListsFollowTheIndex(t *testing.T) {
	tests := []struct {
		name   string
		maxAge time.Duration
		fresh  bool // the list after a change is computed anew
	}{
		{"changed, within the age", time.Hour, false},
		{"changed, past the age", time.Nanosecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content := features.NewContent()
			content.Set(0, &features.Item{Tags: []string{"red"}})
			content.Set(1, &features.Item{Tags: []string{"red"}})
			m := NewContentSimilarity(content, ContentSimilarityConfig{LightMaxAge: tt.maxAge})
			m.Grow(3)
			first := m.neighbors(0)
			if again := m.neighbors(0); &again[0] != &first[0] {
				t.Fatal("unchanged index: the list was computed again")
			}
			content.Set(2, &features.Item{Tags: []string{"red"}})
			after := m.neighbors(0)
			if fresh := &after[0] != &first[0]; fresh != tt.fresh {
				t.Fatalf("after a change: computed anew %v, want %v", fresh, tt.fresh)
			}
			if want := 2 + btoi(tt.fresh); len(after) != want {
				t.Fatalf("after a change: %d neighbours %+v, want %d", len(after), after, want)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
