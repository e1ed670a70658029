package models

import "reco/features"

// Seed is an item that a query starts from, with how much it counts: a
// user's recent interactions (weighted by event type and age) or the anchor
// item of a slot.
type Seed struct {
	Item   features.ItemID
	Weight float32
}

// Scores accumulates scores for a subset of items in a dense slice, and
// remembers which items it touched so that Reset is proportional to the
// work done rather than to the catalog size. Reuse one per goroutine.
type Scores struct {
	val     []float32
	seen    []bool
	Touched []features.ItemID
}

// Reset clears the scores and makes room for n items.
func (s *Scores) Reset(n int) {
	for _, id := range s.Touched {
		s.val[id] = 0
		s.seen[id] = false
	}
	s.Touched = s.Touched[:0]
	if len(s.val) < n {
		s.val = append(s.val, make([]float32, n-len(s.val))...)
		s.seen = append(s.seen, make([]bool, n-len(s.seen))...)
	}
}

// Add adds v to the score of id.
func (s *Scores) Add(id features.ItemID, v float32) {
	if int(id) >= len(s.val) {
		return
	}
	if !s.seen[id] {
		s.seen[id] = true
		s.Touched = append(s.Touched, id)
	}
	s.val[id] += v
}

// Scale multiplies the score of id by f (a touched item stays touched).
func (s *Scores) Scale(id features.ItemID, f float32) {
	if int(id) < len(s.val) {
		s.val[id] *= f
	}
}

// Get returns the score of id (0 if untouched).
func (s *Scores) Get(id features.ItemID) float32 {
	if int(id) >= len(s.val) {
		return 0
	}
	return s.val[id]
}

// Max returns the largest score among touched items (0 if none is positive).
func (s *Scores) Max() float32 {
	var m float32
	for _, id := range s.Touched {
		if v := s.val[id]; v > m {
			m = v
		}
	}
	return m
}

// Query is what a scorer is asked: the seeds to start from, at which engine
// time, against which state version.
type Query struct {
	Seeds []Seed
	// Now is the engine clock in unix ms (the newest event time applied),
	// so that replaying history gives the same answers as living it.
	Now int64
	// Version counts applied events; caches derived from the state use it
	// to know how stale they are.
	Version uint64
}

// Scorer is one model: it adds scores for candidates given a query.
// Implementations must be safe for concurrent use by readers.
type Scorer interface {
	// Name is the model's name in configuration and benchmark output.
	Name() string
	// Score adds scores for candidate items to out.
	Score(q *Query, out *Scores)
}
