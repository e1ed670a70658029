package models

import (
	"math"
	"slices"

	"reco/features"
)

// Seed is an item that a query starts from, with how much it counts: a
// user's recent interactions (weighted by event type and age) or the anchor
// item of a slot.
type Seed struct {
	Item   features.ItemID
	Weight float32
}

// Scores accumulates scores for a subset of items in a dense slice, and
// remembers which items it touched. A slot is valid only while its stamp
// equals the current generation, so Reset is one increment, and a score
// and its stamp share 8 bytes: one cache miss per Add on a catalog larger
// than the cache. Reuse one per goroutine.
type Scores struct {
	slots   []scoreSlot
	gen     uint32
	Touched []features.ItemID
}

type scoreSlot struct {
	val float32
	gen uint32
}

// Reset clears the scores and makes room for n items.
func (s *Scores) Reset(n int) {
	s.Touched = s.Touched[:0]
	if len(s.slots) < n {
		s.slots = append(s.slots, make([]scoreSlot, n-len(s.slots))...)
	}
	s.gen++
	if s.gen == 0 { // wrapped: old stamps could alias the new generation
		clear(s.slots)
		s.gen = 1
	}
}

// Add adds v to the score of id.
func (s *Scores) Add(id features.ItemID, v float32) {
	if int(id) >= len(s.slots) {
		return
	}
	sl := &s.slots[id]
	if sl.gen != s.gen {
		sl.gen, sl.val = s.gen, v
		s.Touched = append(s.Touched, id)
		return
	}
	sl.val += v
}

// AddScaled adds f × vals[i] to the score of each ids[i]: Add over many
// items, without Add's branch on whether each was touched before. When a
// blend adds a model that shares some of its candidates with the models
// before it at random (popularity after EASE on a feed: 200 of ~285),
// that branch is missed about every third item. Here a stale score is
// masked to 0, and each id is written past the end of Touched, which
// moves over it only if it is new. (Add itself stays as it is: where
// most items are new, or most were touched before, its branch is
// predicted and cheaper than the extra stores.)
func (s *Scores) AddScaled(ids []features.ItemID, vals []float32, f float32) {
	t := slices.Grow(s.Touched, len(ids)) // each id writes at most one place further
	n, room := len(t), t[:cap(t)]
	for i, id := range ids {
		n = s.addUnbranched(id, vals[i]*f, room, n)
	}
	s.Touched = room[:n]
}

// AddNeighbors adds w × nb[i].Sim to the score of each nb[i].Item:
// AddScaled for an item-to-item list. An item-kNN or content feed adds
// one list per seed, and the lists of a user's seeds share some of their
// items at random, so Add's branch on whether an item was touched before
// is missed often: Add held a quarter of BenchmarkRecommendFeed's CPU.
func (s *Scores) AddNeighbors(nb []Neighbor, w float32) {
	t := slices.Grow(s.Touched, len(nb)) // each item writes at most one place further
	n, room := len(t), t[:cap(t)]
	for _, x := range nb {
		n = s.addUnbranched(x.Item, x.Sim*w, room, n)
	}
	s.Touched = room[:n]
}

// addUnbranched adds v to the score of id without a branch on whether id
// was touched before: a stale score is masked to 0, and id is written at
// room[n], which the caller moves past (the n returned) only if id is new.
// Small enough to inline into AddScaled's and AddNeighbors' loops.
func (s *Scores) addUnbranched(id features.ItemID, v float32, room []features.ItemID, n int) int {
	if int(id) >= len(s.slots) {
		return n
	}
	sl := &s.slots[id]
	var fresh uint32
	if sl.gen != s.gen {
		fresh = 1
	}
	sl.val = math.Float32frombits(math.Float32bits(sl.val)&(fresh-1)) + v
	sl.gen = s.gen
	room[n] = id
	return n + int(fresh)
}

// Scale multiplies the score of id by f (a touched item stays touched).
func (s *Scores) Scale(id features.ItemID, f float32) {
	if int(id) < len(s.slots) && s.slots[id].gen == s.gen {
		s.slots[id].val *= f
	}
}

// Get returns the score of id (0 if untouched).
func (s *Scores) Get(id features.ItemID) float32 {
	if int(id) >= len(s.slots) || s.slots[id].gen != s.gen {
		return 0
	}
	return s.slots[id].val
}

// Max returns the largest score among touched items (0 if none is positive).
func (s *Scores) Max() float32 {
	var m float32
	for _, id := range s.Touched {
		if v := s.slots[id].val; v > m {
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
	// Light asks a model for its cheap evaluation, set by a blend for the
	// models that weigh little in it: only their strongest signals can
	// move its ranking, so their long tails are not expanded
	// (ItemKNNConfig.LightNeighbors, ContentSimilarityConfig.LightSeeds).
	Light bool
}

// Scorer is one model: it adds scores for candidates given a query.
// Implementations must be safe for concurrent use by readers.
type Scorer interface {
	// Name is the model's name in configuration and benchmark output.
	Name() string
	// Score adds scores for candidate items to out.
	Score(q *Query, out *Scores)
}
