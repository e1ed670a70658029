package models

import (
	"math/rand/v2"
	"slices"
	"testing"

	"reco/features"
)

func TestScoresResetForgetsEverything(t *testing.T) {
	var s Scores
	s.Reset(4)
	s.Add(1, 2)
	s.Add(1, 0.5)
	s.Add(3, -1)
	s.Add(9, 1) // beyond n: ignored
	if got := s.Get(1); got != 2.5 {
		t.Fatalf("Get(1) = %v, want 2.5", got)
	}
	if len(s.Touched) != 2 || s.Max() != 2.5 {
		t.Fatalf("Touched = %v, Max = %v; want 2 items, 2.5", s.Touched, s.Max())
	}
	s.Reset(4)
	if s.Get(1) != 0 || s.Get(3) != 0 || len(s.Touched) != 0 {
		t.Fatalf("after Reset: Get(1) = %v, Get(3) = %v, Touched = %v", s.Get(1), s.Get(3), s.Touched)
	}
	s.Add(3, 1)
	if s.Get(3) != 1 {
		t.Fatalf("Get(3) after Reset and Add = %v, want 1 (old value must not leak)", s.Get(3))
	}
	// The generation wraps around: stamps from before must not alias.
	s.gen = ^uint32(0)
	s.slots[2] = scoreSlot{val: 7, gen: 1}
	s.Reset(4)
	if s.Get(2) != 0 {
		t.Fatalf("after wrap-around Get(2) = %v, want 0", s.Get(2))
	}
}

func TestNormalizeEqualsAddNormalizedIntoEmpty(t *testing.T) {
	fill := func(s *Scores) {
		s.Reset(8)
		for i, v := range []float32{3, -1, 0, 1.5, 6, -2} {
			s.Add(uint32(i), v)
		}
	}
	for _, w := range []float64{1, 0.05, 0} {
		var src, dst, inPlace Scores
		fill(&src)
		dst.Reset(8)
		AddNormalized(&dst, &src, w)
		fill(&inPlace)
		inPlace.Normalize(w)
		if len(inPlace.Touched) != len(dst.Touched) {
			t.Fatalf("weight %v: touched %v, want %v", w, inPlace.Touched, dst.Touched)
		}
		for id := uint32(0); id < 8; id++ {
			if inPlace.Get(id) != dst.Get(id) {
				t.Fatalf("weight %v: item %d = %v, want %v", w, id, inPlace.Get(id), dst.Get(id))
			}
		}
	}
}

// TestScoresMatchAMap drives Scores and a map with the same adds — one
// at a time (Add) and in batches with repeated items (AddScaled,
// AddNeighbors) — over
// resets to smaller and larger sizes: the same sums, and Touched lists
// every item added once, in the order first added. Items beyond the room
// made so far are ignored.
func TestScoresMatchAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	var s Scores
	for round, n := range []int{16, 4, 64, 64, 8, 200} {
		s.Reset(n)
		room := len(s.slots) // the largest n so far
		sums := map[features.ItemID]float32{}
		var order []features.ItemID
		add := func(id features.ItemID, v float32) {
			if int(id) >= room {
				return
			}
			if _, ok := sums[id]; !ok {
				order = append(order, id)
			}
			sums[id] += v
		}
		for range 3 * room {
			if rng.IntN(8) == 0 {
				nb := make([]Neighbor, rng.IntN(2*room))
				for i := range nb {
					nb[i] = Neighbor{Item: features.ItemID(rng.IntN(room + 2)), Sim: float32(rng.IntN(7) - 3)}
				}
				w := float32(rng.IntN(3)) + 0.25
				s.AddNeighbors(nb, w)
				for _, x := range nb {
					add(x.Item, x.Sim*w)
				}
				continue
			}
			if rng.IntN(4) > 0 {
				id := features.ItemID(rng.IntN(room + 2))
				v := float32(rng.IntN(7) - 3)
				s.Add(id, v)
				add(id, v)
				continue
			}
			ids := make([]features.ItemID, rng.IntN(2*room))
			vals := make([]float32, len(ids))
			for i := range ids {
				ids[i], vals[i] = features.ItemID(rng.IntN(room+2)), float32(rng.IntN(7)-3)
			}
			f := float32(rng.IntN(3)) + 0.5
			s.AddScaled(ids, vals, f)
			for i, id := range ids {
				add(id, vals[i]*f)
			}
		}
		if !slices.Equal(s.Touched, order) {
			t.Fatalf("round %d: Touched %v, want %v", round, s.Touched, order)
		}
		for id := range features.ItemID(room) {
			if s.Get(id) != sums[id] {
				t.Fatalf("round %d: Get(%d) = %v, want %v", round, id, s.Get(id), sums[id])
			}
		}
	}
}
