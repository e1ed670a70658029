package bench

import "math"

// rankMetrics accumulates ranking metrics at one cutoff K over many queries.
type rankMetrics struct {
	K                      int
	recall, ndcg, hit, mrr float64
	queries                int
	distinct               map[string]struct{}
}

func newRankMetrics(k int) *rankMetrics {
	return &rankMetrics{K: k, distinct: map[string]struct{}{}}
}

// add scores one ranked list against the relevant items (CONTRACT.md:
// Recall@K = hits ÷ min(K, |test|); NDCG with binary gains and the ideal
// DCG over min(K, |test|); HitRate; MRR of the first hit).
func (m *rankMetrics) add(ranked []string, relevant map[string]struct{}) {
	if len(relevant) == 0 {
		return
	}
	m.queries++
	k := min(m.K, len(ranked))
	hits, dcg, rr := 0, 0.0, 0.0
	for i := 0; i < k; i++ {
		m.distinct[ranked[i]] = struct{}{}
		if _, ok := relevant[ranked[i]]; ok {
			hits++
			dcg += 1 / math.Log2(float64(i+2))
			if rr == 0 {
				rr = 1 / float64(i+1)
			}
		}
	}
	ideal := 0.0
	for i := 0; i < min(m.K, len(relevant)); i++ {
		ideal += 1 / math.Log2(float64(i+2))
	}
	m.recall += float64(hits) / float64(min(m.K, len(relevant)))
	m.ndcg += dcg / ideal
	if hits > 0 {
		m.hit++
	}
	m.mrr += rr
}

// means returns the metric means; coverage divides distinct recommended
// items by catalogPositives.
func (m *rankMetrics) means(catalogPositives int) (recall, ndcg, hit, mrr, coverage float64) {
	if m.queries == 0 {
		return
	}
	q := float64(m.queries)
	cov := 0.0
	if catalogPositives > 0 {
		cov = float64(len(m.distinct)) / float64(catalogPositives)
	}
	return m.recall / q, m.ndcg / q, m.hit / q, m.mrr / q, cov
}
