package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Split is a train/test division of a dataset.
type Split struct {
	// Train is replayed through the engine, in this order.
	Train []Row
	// Test maps each test user (or basket query) to its held-out positives.
	Test map[string]map[string]struct{}
	// TestOrder lists the test keys in a deterministic order.
	TestOrder []string
	// Cart holds, for the loo protocol, the rest of each test basket.
	Cart map[string][]string
	// Positives is the number of distinct items with at least one positive
	// in the whole dataset (the coverage denominator).
	Positives int
}

// syntheticEpoch is the time given to rows of files without timestamps:
// row i happens i seconds after it, so file order is time.
const syntheticEpoch = 1_600_000_000_000

// isPositive reports whether a row counts as a positive: a rating of at
// least 4, or any row of a dataset without ratings.
func isPositive(r *Row, hasRating bool) bool {
	return !hasRating || r.Rating >= 4
}

// SplitTemporal implements the temporal protocol of CONTRACT.md: for each
// user with at least 5 positives, the last floor(0.2 × positives) of them
// by timestamp (ties by file order) are the test set; every other row is
// training data, in timestamp order.
func SplitTemporal(ds *Dataset) (*Split, error) {
	if len(ds.Rows) == 0 {
		return nil, fmt.Errorf("split: dataset %s has no rows", ds.Name)
	}
	rows := slices.Clone(ds.Rows)
	for i := range rows {
		if rows[i].TS == 0 {
			rows[i].TS = syntheticEpoch + int64(i)*1000
		}
	}
	order := make([]int, len(rows)) // indexes sorted by (ts, file order)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rows[a].TS < rows[b].TS:
			return -1
		case rows[a].TS > rows[b].TS:
			return 1
		}
		return 0
	})
	byUser := map[string][]int{} // positives per user, in time order
	positiveItems := map[string]struct{}{}
	for _, i := range order {
		if isPositive(&rows[i], ds.HasRating) {
			byUser[rows[i].User] = append(byUser[rows[i].User], i)
			positiveItems[rows[i].Item] = struct{}{}
		}
	}
	held := make([]bool, len(rows))
	sp := &Split{Test: map[string]map[string]struct{}{}, Positives: len(positiveItems)}
	for u, pos := range byUser {
		if len(pos) < 5 {
			continue
		}
		n := len(pos) / 5 // floor(0.2 × positives)
		test := map[string]struct{}{}
		for _, i := range pos[len(pos)-n:] {
			held[i] = true
			test[rows[i].Item] = struct{}{}
		}
		sp.Test[u] = test
		sp.TestOrder = append(sp.TestOrder, u)
	}
	slices.Sort(sp.TestOrder)
	for _, i := range order {
		if !held[i] {
			sp.Train = append(sp.Train, rows[i])
		}
	}
	return sp, nil
}

// looSeed is the seed of the leave-one-out protocol (CONTRACT.md).
const looSeed = 42

// SplitLOO implements the loo protocol: each basket with at least 2 items
// hides one item chosen with a seeded generator; the rest of the basket is
// the query's cart. Every basket's remaining items are training data, one
// synthetic user per basket, in file order.
func SplitLOO(ds *Dataset) (*Split, error) {
	if len(ds.Baskets) == 0 {
		return nil, fmt.Errorf("split: dataset %s has no baskets", ds.Name)
	}
	rng := rand.New(rand.NewPCG(looSeed, looSeed))
	sp := &Split{Test: map[string]map[string]struct{}{}, Cart: map[string][]string{}}
	positive := map[string]struct{}{}
	ts := int64(syntheticEpoch)
	for bi, b := range ds.Baskets {
		user := fmt.Sprintf("basket-%d", bi)
		hide := -1
		if len(b) >= 2 {
			hide = rng.IntN(len(b))
			sp.Test[user] = map[string]struct{}{b[hide]: {}}
			sp.TestOrder = append(sp.TestOrder, user)
		}
		for i, it := range b {
			positive[it] = struct{}{}
			if i == hide {
				continue
			}
			ts += 1000
			sp.Train = append(sp.Train, Row{User: user, Item: it, TS: ts, Type: "purchase"})
			if hide >= 0 {
				sp.Cart[user] = append(sp.Cart[user], it)
			}
		}
	}
	sp.Positives = len(positive)
	return sp, nil
}
