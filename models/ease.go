package models

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"

	"reco/features"
)

// EASEConfig tunes the EASE item model (Steck, "Embarrassingly Shallow
// Autoencoders for Sparse Data", WWW 2019).
type EASEConfig struct {
	// MaxItems bounds the model to the most interacted-with items: training
	// inverts a MaxItems² matrix (O(n³)) and every query touches one row
	// per seed, so this is the knob between catalog reach and cost. Items
	// outside it are still served by the online models. Default 4000.
	MaxItems int
	// Lambda is the L2 regularisation. When 0, LambdaScale × the mean
	// diagonal of the Gram matrix is used, which keeps the same default
	// meaningful on datasets of any density.
	Lambda float64
	// LambdaScale is the relative regularisation used when Lambda is 0.
	// Default 5.
	LambdaScale float64
	// MinUsers is the number of distinct users an item needs to enter the
	// model. Default 2.
	MinUsers int
	// Candidates is how many of its best-scoring items a query adds to the
	// answer's candidates. Weaker ones cannot reach the top of a blend in
	// which EASE weighs most, and every candidate costs each later step of
	// the answer (other models, business rules, selection). On ml-100k
	// 200 answers as all 1,682 do. Default 200.
	Candidates int
}

func (c *EASEConfig) defaults() {
	if c.MaxItems <= 0 {
		c.MaxItems = 4000
	}
	if c.LambdaScale <= 0 {
		c.LambdaScale = 5
	}
	if c.MinUsers <= 0 {
		c.MinUsers = 2
	}
	if c.Candidates <= 0 {
		c.Candidates = 200
	}
}

// EASE is a trained item-to-item weight matrix B (zero diagonal): a user's
// scores are x·B, where x is the user's current interaction vector. Because
// x is read at query time, a new event changes the user's answers at once;
// only B waits for the next training.
type EASE struct {
	items []features.ItemID // model index -> item
	// index is the inverse of items by item id, -1 for items outside the
	// model: a slice rather than a map, whose lookups per seed were a
	// tenth of a feed's EASE scoring (4 bytes per catalog item).
	index  []int32
	b      []float32 // len(items)², row-major
	Lambda float64   // the regularisation actually used
	Users  int       // users the model was trained on
	// candidates is EASEConfig.Candidates.
	candidates int
	tmp        sync.Pool // *easeScratch
}

// easeScratch is one query's working memory.
type easeScratch struct {
	acc      []float32 // the score of every model item
	positive []float32 // a copy of acc's positive scores, for the cut
	kept     []int32   // the indexes of the candidates
}

// TrainEASE fits EASE on rows, one per user: the items they interacted with
// and a weight per item (use 1 for binary data). It honours ctx between the
// expensive steps.
func TrainEASE(ctx context.Context, rows [][]Seed, cfg EASEConfig) (*EASE, error) {
	cfg.defaults()
	counts := map[features.ItemID]int{}
	for _, r := range rows {
		for _, s := range r {
			counts[s.Item]++
		}
	}
	items := make([]features.ItemID, 0, len(counts))
	for id, c := range counts {
		if c >= cfg.MinUsers {
			items = append(items, id)
		}
	}
	slices.SortFunc(items, func(a, b features.ItemID) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return int(a) - int(b)
	})
	if len(items) > cfg.MaxItems {
		items = items[:cfg.MaxItems]
	}
	n := len(items)
	if n < 2 {
		return nil, fmt.Errorf("ease: %d items with at least %d users, need 2", n, cfg.MinUsers)
	}
	slices.Sort(items)
	index := make([]int32, items[n-1]+1) // items are sorted
	for i := range index {
		index[i] = -1
	}
	for i, id := range items {
		index[id] = int32(i)
	}

	g := make([]float64, n*n)
	var idx []int32
	var ws []float64
	users := 0
	for _, r := range rows {
		idx, ws = idx[:0], ws[:0]
		for _, s := range r {
			if i := lookupIndex(index, s.Item); i >= 0 {
				idx = append(idx, i)
				ws = append(ws, float64(s.Weight))
			}
		}
		if len(idx) == 0 {
			continue
		}
		users++
		for a, i := range idx {
			row := g[int(i)*n:]
			wa := ws[a]
			for b, j := range idx {
				if j >= i { // upper triangle is all gonum reads
					row[j] += wa * ws[b]
				}
			}
		}
		if users%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	var diag float64
	for i := 0; i < n; i++ {
		diag += g[i*n+i]
	}
	lambda := cfg.Lambda
	if lambda == 0 {
		lambda = cfg.LambdaScale * diag / float64(n)
	}
	for i := 0; i < n; i++ {
		g[i*n+i] += lambda
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var chol mat.Cholesky
	if !chol.Factorize(mat.NewSymDense(n, g)) {
		return nil, fmt.Errorf("ease: gram matrix of %d items is not positive definite (lambda %g)", n, lambda)
	}
	var p mat.SymDense
	if err := chol.InverseTo(&p); err != nil {
		return nil, fmt.Errorf("ease: inverting gram matrix of %d items: %w", n, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				b[i*n+j] = float32(-p.At(i, j) / p.At(j, j))
			}
		}
	}
	return &EASE{items: items, index: index, b: b, Lambda: lambda, Users: users, candidates: cfg.Candidates}, nil
}

// lookupIndex returns item id's index in the model, -1 if it is not in it.
func lookupIndex(index []int32, id features.ItemID) int32 {
	if int(id) >= len(index) {
		return -1
	}
	return index[id]
}

// Items returns the number of items in the model.
func (m *EASE) Items() int { return len(m.items) }

// Score adds x·B for the seeds to out (items outside the model are skipped).
func (m *EASE) Score(q *Query, out *Scores) { m.score(q, out, 0) }

// ScoreNormalized adds weight × x·B / max(x·B) to out for the items with
// a positive score: Score followed by AddNormalized, without the scratch
// Scores and the two passes over it (the feed's heaviest model: they were
// a twentieth of a demo feed's server time).
func (m *EASE) ScoreNormalized(q *Query, out *Scores, weight float64) {
	if weight != 0 {
		m.score(q, out, weight)
	}
}

// score adds the seeds' x·B to out: every score at or above the cut when
// weight is 0, else only the positive ones, as weight × score / the best.
func (m *EASE) score(q *Query, out *Scores, weight float64) {
	n := len(m.items)
	sc, _ := m.tmp.Get().(*easeScratch)
	if sc == nil {
		sc = &easeScratch{acc: make([]float32, n)}
	}
	defer m.tmp.Put(sc)
	acc := sc.acc
	any := false
	for _, s := range q.Seeds {
		i := lookupIndex(m.index, s.Item)
		if i < 0 {
			continue
		}
		any = true
		// SIMD axpy: this loop is most of a heavy user's query time.
		blas32.Axpy(s.Weight, blas32.Vector{N: n, Inc: 1, Data: m.b[int(i)*n : int(i+1)*n]}, blas32.Vector{N: n, Inc: 1, Data: acc})
	}
	if !any {
		return
	}
	// Only the best m.candidates positive scores become candidates.
	cut := float32(math.Inf(-1))
	var best float32
	// Every score is written and only the positive ones kept, by moving
	// the end: a branch on the sign, which the predictor misses on about
	// every other item, cost more than the stores.
	pos := slices.Grow(sc.positive[:0], n)[:n]
	k := 0
	for _, v := range acc {
		pos[k] = v
		if v > 0 {
			k++
		}
		if v > best { // not max(): its NaN rules cost a branch per item
			best = v
		}
	}
	pos = pos[:k]
	if len(pos) > m.candidates {
		cut = features.SelectNthFloat32(pos, len(pos)-m.candidates)
	}
	sc.positive = pos
	if weight != 0 {
		// As AddNormalized: nothing positive adds nothing.
		cut = max(cut, math.SmallestNonzeroFloat32)
		f := float32(weight) / best
		// The candidates' indexes first, by moving the end as above, then
		// their scores: a branch on the cut would be missed as often.
		kept := slices.Grow(sc.kept[:0], n)[:n]
		nKept := 0
		for j, v := range acc {
			kept[nKept] = int32(j)
			if v >= cut {
				nKept++
			}
		}
		sc.kept = kept
		for _, j := range kept[:nKept] {
			out.Add(m.items[j], acc[j]*f)
		}
	} else {
		for j, v := range acc {
			if v != 0 && v >= cut {
				out.Add(m.items[j], v)
			}
		}
	}
	// One clear of the array rather than a store per scored item behind a
	// branch the predictor misses.
	clear(acc)
}

// Name implements Scorer.
func (m *EASE) Name() string { return "ease" }
