package features

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestDenseMatchesSparse applies the same random updates to a table kept
// in its dense matrix (the default while the catalog is small) and to one
// kept in hash rows from the start, and compares everything a reader can
// see after each step: pairs, partners, counts, bounds, occurrences and
// versions. The cases cover a catalog that stays small, one that grows
// past maxRow (the table turns sparse midway), decay with rescaling, and
// forgotten items.
func TestDenseMatchesSparse(t *testing.T) {
	for _, tc := range []struct {
		name        string
		maxRow      int
		items       int // ids drawn from [0, items)
		grownItems  int // from the middle of the run on, ids from [0, grownItems)
		halfLifeMs  int64
		forgetEvery int // 0: never
		steps       int
		wantSparse  bool // the dense table turned sparse by the end
	}{
		{name: "small catalog", maxRow: 100, items: 40, grownItems: 60, steps: 3000},
		{name: "grows past maxRow", maxRow: 50, items: 30, grownItems: 80, steps: 3000, wantSparse: true},
		{name: "decay with two rescales", maxRow: 100, items: 40, grownItems: 40, halfLifeMs: 30, steps: 3000},
		{name: "forgotten items", maxRow: 100, items: 40, grownItems: 70, forgetEvery: 97, steps: 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tc.maxRow)))
			dense := NewCoOccurrence(tc.maxRow, tc.halfLifeMs)
			sparse := NewCoOccurrence(tc.maxRow, tc.halfLifeMs)
			sparse.sparse = true
			for step := range tc.steps {
				items := tc.items
				if step >= tc.steps/2 {
					items = tc.grownItems
				}
				a, b := ItemID(rng.IntN(items)), ItemID(rng.IntN(items))
				ts := int64(step)
				switch {
				case tc.forgetEvery > 0 && step%tc.forgetEvery == 0:
					dense.Forget(a)
					sparse.Forget(a)
				case a == b:
					w := rng.Float32()
					dense.AddOccurrence(a, w*dense.Boost(ts))
					sparse.AddOccurrence(a, w*sparse.Boost(ts))
				default:
					w := rng.Float32() + 0.01
					dense.AddPair(a, b, w*dense.Boost(ts))
					sparse.AddPair(a, b, w*sparse.Boost(ts))
				}
				if step%50 == 0 || step == tc.steps-1 {
					if err := sameTables(dense, sparse, tc.grownItems); err != nil {
						t.Fatalf("step %d: %v", step, err)
					}
				}
			}
			if gotSparse := dense.dense == nil; gotSparse != tc.wantSparse {
				t.Fatalf("table sparse at the end = %v, want %v", gotSparse, tc.wantSparse)
			}
		})
	}
}

// TestDenseRoundTripsThroughExport exports a dense table, imports it,
// and checks the import is dense again and reads the same.
func TestDenseRoundTripsThroughExport(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c := NewCoOccurrence(100, 0)
	for range 2000 {
		a, b := ItemID(rng.IntN(50)), ItemID(rng.IntN(50))
		if a != b {
			c.AddPair(a, b, rng.Float32()+0.01)
		}
		c.AddOccurrence(a, 1)
	}
	back := ImportCoOccurrence(c.Export(), 100)
	if back.dense == nil {
		t.Fatal("a table of 50 items with maxRow 100 was imported sparse")
	}
	if err := samePairs(c, back, 50); err != nil {
		t.Fatal(err)
	}
	small := ImportCoOccurrence(c.Export(), 20)
	if small.dense != nil {
		t.Fatal("a table of 50 items was imported dense with maxRow 20")
	}
}

// sameTables reports the first difference a reader could see between x
// and y over items [0, n).
func sameTables(x, y *CoOccurrence, n int) error {
	for a := range ItemID(n) {
		if gx, gy := x.Occurrence(a), y.Occurrence(a); gx != gy {
			return fmt.Errorf("Occurrence(%d) = %v and %v", a, gx, gy)
		}
		if gx, gy := x.Version(a), y.Version(a); gx != gy {
			return fmt.Errorf("Version(%d) = %v and %v", a, gx, gy)
		}
		if gx, gy := x.PairBound(a), y.PairBound(a); gx != gy {
			return fmt.Errorf("PairBound(%d) = %v and %v", a, gx, gy)
		}
	}
	return samePairs(x, y, n)
}

// samePairs compares the pairs, partners and partner counts of x and y
// over items [0, n).
func samePairs(x, y *CoOccurrence, n int) error {
	for a := range ItemID(n) {
		if gx, gy := x.Partners(a), y.Partners(a); gx != gy {
			return fmt.Errorf("Partners(%d) = %d and %d", a, gx, gy)
		}
		px, py := map[ItemID]float32{}, map[ItemID]float32{}
		x.EachPartner(a, func(b ItemID, w float32) { px[b] = w })
		y.EachPartner(a, func(b ItemID, w float32) { py[b] = w })
		if len(px) != len(py) || len(px) != x.Partners(a) {
			return fmt.Errorf("EachPartner(%d) gave %d and %d partners, Partners says %d", a, len(px), len(py), x.Partners(a))
		}
		for b, w := range px {
			if py[b] != w {
				return fmt.Errorf("EachPartner(%d): partner %d weighs %v and %v", a, b, w, py[b])
			}
		}
		for b := range ItemID(n) {
			if gx, gy := x.Pair(a, b), y.Pair(a, b); gx != gy {
				return fmt.Errorf("Pair(%d, %d) = %v and %v", a, b, gx, gy)
			}
		}
	}
	return nil
}
