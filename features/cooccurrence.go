package features

import (
	"math"
	"unsafe"
)

// CoOccurrence counts, for every pair of items, how strongly users touched
// both within a short window of their history, weighted by the kinds of
// events involved and decayed by age.
//
// Decay uses forward boosting: instead of shrinking every stored weight as
// time passes (O(all pairs)), each new contribution is multiplied by
// 2^((ts-base)/halfLife), which keeps every ratio the same as true decay.
// When boosts grow large, everything is rescaled once and base moves on.
type CoOccurrence struct {
	rows []coRow
	// dense holds every pair's weight while the catalog is small (see
	// dense.go): row a's weight for partner b at a*stride+b. nil once the
	// table went sparse, when the rows' partners hold them.
	dense  []float32
	stride int
	// sparse says the table left the matrix for good (toSparse). A new,
	// empty table has no matrix yet and is not sparse: its first rows get
	// one.
	sparse     bool
	maxRow     int
	halfLifeMs float64
	baseTS     int64
	based      bool
	scratch    []float32     // prune's buffer of weights
	slotBuf    []partnerSlot // prune's copy of the row
	pool       slotPool      // arrays rows grew out of, for rows growing next
}

// coRow is one item's row with its norm and version side by side: an
// event updates all three, and they cost one cache miss together instead
// of one each.
type coRow struct {
	partners
	occurrence float32 // boosted sum of the item's own event weights
	version    uint32  // bumped whenever the row changes
}

// NewCoOccurrence returns an empty table keeping at most maxRow partners
// per item (the weakest are pruned first) and decaying with the given
// half-life in milliseconds (<= 0: no decay).
func NewCoOccurrence(maxRow int, halfLifeMs int64) *CoOccurrence {
	if maxRow < 8 {
		maxRow = 8
	}
	return &CoOccurrence{maxRow: maxRow, halfLifeMs: float64(halfLifeMs)}
}

// rescaleAt is the boost beyond which all weights are rescaled: far from
// float32 overflow (3e38) and precision trouble.
const rescaleAt = 1 << 40

// Boost returns the multiplier for a contribution made at ts. Call it once
// per event and pass the result to AddPair and AddOccurrence.
func (c *CoOccurrence) Boost(ts int64) float32 {
	if c.halfLifeMs <= 0 {
		return 1
	}
	if !c.based {
		c.baseTS, c.based = ts, true
	}
	b := math.Exp2(float64(ts-c.baseTS) / c.halfLifeMs)
	if b > rescaleAt {
		c.rescale(float32(1 / b))
		c.baseTS = ts
		b = 1
	}
	return float32(b)
}

// BoostAt returns the boost of time now without side effects; divide a
// stored weight by it to get its decayed value at now.
func (c *CoOccurrence) BoostAt(now int64) float32 {
	if c.halfLifeMs <= 0 || !c.based {
		return 1
	}
	return float32(math.Exp2(float64(now-c.baseTS) / c.halfLifeMs))
}

func (c *CoOccurrence) rescale(f float32) {
	c.scaleDense(f)
	for i := range c.rows {
		r := &c.rows[i]
		r.scale(f)
		r.occurrence *= f
		r.version++
	}
}

func (c *CoOccurrence) grow(id ItemID) {
	if int(id) < len(c.rows) {
		return
	}
	for int(id) >= len(c.rows) {
		c.rows = append(c.rows, coRow{})
	}
	if !c.sparse {
		c.growDense()
	}
}

// AddOccurrence adds w to item a's own occurrence weight (the norm that
// similarities are divided by).
func (c *CoOccurrence) AddOccurrence(a ItemID, w float32) {
	c.grow(a)
	c.rows[a].occurrence += w
	c.rows[a].version++
}

// PrefetchRow and PrefetchSlot prefetch what AddPair(a, b) will read, in
// two steps (a sparse row's slot address is in the row): a caller about to
// add many pairs prefetches all their rows, then all their slots, so that
// the cache misses of each step overlap instead of coming one after
// another (see Prefetch).
func (c *CoOccurrence) PrefetchRow(a ItemID) {
	if int(a) < len(c.rows) {
		r := &c.rows[a]
		prefetchRange(unsafe.Pointer(r), unsafe.Sizeof(*r))
	}
}

// PrefetchSlot: see PrefetchRow.
func (c *CoOccurrence) PrefetchSlot(a, b ItemID) {
	switch {
	case int(a) >= len(c.rows):
	case c.dense != nil:
		if int(b) < c.stride {
			Prefetch(unsafe.Pointer(&c.dense[int(a)*c.stride+int(b)]))
		}
	default:
		c.rows[a].prefetch(b)
	}
}

// AddPair adds w to the pair (a, b) in both directions.
func (c *CoOccurrence) AddPair(a, b ItemID, w float32) {
	c.addHalf(a, b, w)
	c.addHalf(b, a, w)
}

func (c *CoOccurrence) addHalf(a, b ItemID, w float32) {
	c.grow(max(a, b))
	row := &c.rows[a]
	if c.dense != nil {
		c.addDense(row, a, b, w)
		return
	}
	row.add(b, w, &c.pool)
	row.version++
	if int(row.n) > c.maxRow {
		c.prune(&row.partners)
	}
}

// prune keeps the strongest half of maxRow partners, so that a full row is
// pruned again only after many new partners arrived: a popular item's row
// is pruned every maxRow/2 new partners, not every maxRow/4 as when it
// kept three quarters (pruning was 9 % of ingest's CPU at 2 M events;
// ml-100k figures identical either way). Ties at
// the cut are kept only up to that count: rows of equal weights (every
// pair seen once) must shrink too, or every later add would prune again.
//
// Popular items fill their rows again and again on a busy shop, so the cut
// is found by selection in a reused buffer, not by sorting a new slice.
func (c *CoOccurrence) prune(row *partners) {
	vals := c.scratch[:0]
	row.each(func(_ ItemID, v float32) { vals = append(vals, v) })
	c.scratch = vals
	keep := c.maxRow / 2
	cut := SelectNthFloat32(vals, len(vals)-keep)
	above := 0
	for _, v := range vals {
		if v > cut {
			above++
		}
	}
	ties := keep - above // how many entries equal to cut survive
	c.slotBuf = row.filterInPlace(c.slotBuf, func(_ uint32, v float32) bool {
		if v > cut {
			return true
		}
		if v == cut && ties > 0 {
			ties--
			return true
		}
		return false
	})
}

// Pair returns the boosted weight of the pair (a, b), 0 if never seen.
func (c *CoOccurrence) Pair(a, b ItemID) float32 {
	if int(a) >= len(c.rows) {
		return 0
	}
	if c.dense != nil {
		if int(b) >= c.stride {
			return 0
		}
		return c.dense[int(a)*c.stride+int(b)]
	}
	return c.rows[a].get(b)
}

// PairBound returns a weight no pair (a, b) exceeds, for any b: item a's
// strongest pair, or more once that pair was pruned or forgotten. A reader
// looking for the strongest of several rows uses it to skip the rows that
// cannot win, without probing them.
func (c *CoOccurrence) PairBound(a ItemID) float32 {
	if int(a) >= len(c.rows) {
		return 0
	}
	return c.rows[a].bound
}

// EachPartner calls fn for every partner of item a with its boosted weight.
func (c *CoOccurrence) EachPartner(a ItemID, fn func(b ItemID, w float32)) {
	if int(a) >= len(c.rows) {
		return
	}
	if c.dense != nil {
		c.eachDense(a, fn)
		return
	}
	c.rows[a].each(fn)
}

// Partners returns the number of partners of item a.
func (c *CoOccurrence) Partners(a ItemID) int {
	if int(a) >= len(c.rows) {
		return 0
	}
	return int(c.rows[a].n)
}

// Occurrence returns item a's boosted occurrence weight.
func (c *CoOccurrence) Occurrence(a ItemID) float32 {
	if int(a) >= len(c.rows) {
		return 0
	}
	return c.rows[a].occurrence
}

// Version returns a number that changes whenever item a's row or
// occurrence changes, for caches derived from them.
func (c *CoOccurrence) Version(a ItemID) uint32 {
	if int(a) >= len(c.rows) {
		return 0
	}
	return c.rows[a].version
}

// Forget removes item a from every row (item deleted).
func (c *CoOccurrence) Forget(a ItemID) {
	if int(a) >= len(c.rows) {
		return
	}
	if c.dense != nil {
		c.forgetDense(a)
		return
	}
	c.rows[a].each(func(b ItemID, _ float32) {
		c.rows[b].remove(a, &c.pool)
		c.rows[b].version++
	})
	c.rows[a] = coRow{version: c.rows[a].version + 1}
}
