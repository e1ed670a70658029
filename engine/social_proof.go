package engine

import (
	"math"
	"strconv"

	"reco/features"
)

// socialProofMin are the thresholds below which a count is not worth
// saying out loud.
const (
	socialProofPurchases = 5
	socialProofRatings   = 10
)

// socialProof appends the item's social-proof sentences ("bought 12 times
// this week", "rated 4.3 by 57 shoppers") to out.
//
// The sentences change only when the counts behind them do, while every
// answer showing the item needs them: built on each request they were
// more than a third of an answer's allocations. They are kept per item
// with the counts they were built from (proofCache) and rebuilt when
// those differ. Concurrent requests may both rebuild an entry; each
// stores a complete one.
func (e *Engine) socialProof(id features.ItemID, now int64, out []string) []string {
	sales := e.weeklySales.Last7Days(id, now)
	if sales < socialProofPurchases {
		sales = 0
	}
	c := &e.catalog.Item(id).Counters
	ratings, sum := c.Ratings, c.RatingSum
	if ratings < socialProofRatings {
		ratings, sum = 0, 0
	}
	if sales == 0 && ratings == 0 {
		return out
	}
	slot := e.proofs.Slot(id)
	var p *proofEntry
	if slot != nil {
		p = slot.Load()
	}
	if p == nil || p.sales != sales || p.ratings != ratings || p.sum != sum {
		p = newProofEntry(sales, ratings, sum)
		if slot != nil {
			slot.Store(p)
		}
	}
	return append(out, p.texts...)
}

// proofEntry is an item's social-proof sentences and the counts they say.
type proofEntry struct {
	sales   int     // purchases in the last 7 days, 0 below the threshold
	ratings int64   // 0 below the threshold
	sum     float64 // of the ratings
	texts   []string
}

func newProofEntry(sales int, ratings int64, sum float64) *proofEntry {
	p := &proofEntry{sales: sales, ratings: ratings, sum: sum}
	if sales > 0 {
		p.texts = append(p.texts, "bought "+strconv.Itoa(sales)+" times this week")
	}
	if ratings > 0 {
		avg := math.Round(sum/float64(ratings)*10) / 10
		p.texts = append(p.texts, "rated "+strconv.FormatFloat(avg, 'f', 1, 64)+" by "+strconv.FormatInt(ratings, 10)+" shoppers")
	}
	return p
}

// proofCache holds one proofEntry per item, read and replaced atomically
// by requests under the engine's read lock.
type proofCache = features.ItemSlots[proofEntry]
