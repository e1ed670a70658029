package engine

import (
	"reco/features"
	"reco/models"
)

// A feed item's reason names the seed whose co-occurrence with the item,
// times the seed's weight, is strongest ("because you viewed …"): the
// first such seed in recency order when several tie. Probing every seed's
// row for every shown item was ~100–300 hash probes per answer, each
// likely a cache miss, and 5 % of a cache-missing server's CPU. Visiting
// the seeds by a bound on what each can score, and stopping once no
// remaining seed can beat the best found, names the same seed with a
// quarter of the probes on the demo shop.

// reasonSeed is one seed a reason may name, with a bound on what it can
// score against any item: its weight times its row's PairBound.
type reasonSeed struct {
	idx   int32 // into the answer's seeds
	bound float32
}

// orderReasonSeeds returns dst holding seeds' indexes by descending bound,
// ties in recency order.
func orderReasonSeeds(dst []reasonSeed, cooc *features.CoOccurrence, seeds []models.Seed) []reasonSeed {
	dst = dst[:0]
	for i, sd := range seeds {
		r := reasonSeed{idx: int32(i), bound: cooc.PairBound(sd.Item) * sd.Weight}
		// Insertion sort: at most reasonSeeds entries, once per answer.
		j := len(dst)
		dst = append(dst, r)
		for j > 0 && dst[j-1].bound < r.bound {
			dst[j] = dst[j-1]
			j--
		}
		dst[j] = r
	}
	return dst
}

// strongestSeed returns the index in seeds of the seed whose pair with id,
// times its weight, is largest and positive — the most recent one on a
// tie — or -1 when no seed has a pair with id. order is
// orderReasonSeeds(seeds).
func strongestSeed(cooc *features.CoOccurrence, seeds []models.Seed, order []reasonSeed, id features.ItemID) int {
	best, bestIdx := float32(0), -1
	for _, r := range order {
		// Fewer than best cannot win; equal to best can, if more recent.
		if r.bound <= 0 || r.bound < best {
			break
		}
		sd := seeds[r.idx]
		c := cooc.Pair(sd.Item, id) * sd.Weight
		if c > best || (c == best && c > 0 && int(r.idx) < bestIdx) {
			best, bestIdx = c, int(r.idx)
		}
	}
	return bestIdx
}
