package models

import (
	"context"
	"math/rand/v2"
	"slices"
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

// TestEASEScoreNormalizedIsScoreThenAddNormalized: the one-pass
// normalised scoring gives bit for bit what Score into a scratch followed
// by AddNormalized gives, into an empty result and into one holding
// other scores, with a candidate cut and without.
func TestEASEScoreNormalizedIsScoreThenAddNormalized(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	rows := randomRows(rng)
	for _, candidates := range []int{5, 1000} {
		m, err := TrainEASE(context.Background(), rows, EASEConfig{Candidates: candidates})
		if err != nil {
			t.Fatal(err)
		}
		for round := range 50 {
			q := randomQuery(rng)
			weight := 0.5 + rng.Float64()
			var want, got, scratch Scores
			want.Reset(50)
			got.Reset(50)
			if round%2 == 1 { // a result already holding scores
				for id := range features.ItemID(50) {
					if rng.IntN(3) == 0 {
						v := rng.Float32()
						want.Add(id, v)
						got.Add(id, v)
					}
				}
			}
			scratch.Reset(50)
			m.Score(&q, &scratch)
			AddNormalized(&want, &scratch, weight)
			m.ScoreNormalized(&q, &got, weight)
			if !slices.Equal(got.Touched, want.Touched) {
				t.Fatalf("candidates %d, round %d: touched %v, want %v", candidates, round, got.Touched, want.Touched)
			}
			for _, id := range want.Touched {
				if got.Get(id) != want.Get(id) {
					t.Fatalf("candidates %d, round %d: item %d scored %v, want %v", candidates, round, id, got.Get(id), want.Get(id))
				}
			}
		}
	}
}

// TestEASEKeepsTheBestCandidates checks Score's candidate cut against
// the scores of a model without one: with more positive scores than
// Candidates, exactly the items scoring at least the Candidates-th best
// positive score; else every item scored.
func TestEASEKeepsTheBestCandidates(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	rows := randomRows(rng)
	all, err := TrainEASE(context.Background(), rows, EASEConfig{Candidates: 1000})
	if err != nil {
		t.Fatal(err)
	}
	cut, uncut := 0, 0
	for _, candidates := range []int{5, 15, 36} {
		m, err := TrainEASE(context.Background(), rows, EASEConfig{Candidates: candidates})
		if err != nil {
			t.Fatal(err)
		}
		for round := range 100 {
			q := randomQuery(rng)
			var full, got Scores
			full.Reset(50)
			got.Reset(50)
			all.Score(&q, &full)
			m.Score(&q, &got)
			var positive []float32
			for _, id := range full.Touched {
				if v := full.Get(id); v > 0 {
					positive = append(positive, v)
				}
			}
			slices.Sort(positive)
			var want []features.ItemID
			for _, id := range full.Touched {
				if len(positive) <= candidates || full.Get(id) >= positive[len(positive)-candidates] {
					want = append(want, id)
				}
			}
			if len(positive) > candidates {
				cut++
			} else {
				uncut++
			}
			if !slices.Equal(got.Touched, want) {
				t.Fatalf("candidates %d, round %d: kept %v, want %v", candidates, round, got.Touched, want)
			}
		}
	}
	if cut == 0 || uncut == 0 {
		t.Fatalf("%d queries with more positive scores than candidates, %d with fewer: want both", cut, uncut)
	}
}

// randomRows returns 300 users' rows of 2–7 interactions with 40 items.
func randomRows(rng *rand.Rand) [][]Seed {
	var rows [][]Seed
	for range 300 {
		var row []Seed
		for range 2 + rng.IntN(6) {
			row = append(row, Seed{Item: features.ItemID(rng.IntN(40)), Weight: 1 + rng.Float32()})
		}
		rows = append(rows, row)
	}
	return rows
}

// randomQuery returns a query of 1–5 seeds among randomRows' 40 items.
func randomQuery(rng *rand.Rand) Query {
	q := Query{}
	for range 1 + rng.IntN(5) {
		q.Seeds = append(q.Seeds, Seed{Item: features.ItemID(rng.IntN(40)), Weight: rng.Float32()})
	}
	return q
}
