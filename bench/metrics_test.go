package bench

import (
	"math"
	"testing"
)

func TestRankMetrics(t *testing.T) {
	rel := func(items ...string) map[string]struct{} {
		m := map[string]struct{}{}
		for _, i := range items {
			m[i] = struct{}{}
		}
		return m
	}
	tests := []struct {
		name                   string
		k                      int
		ranked                 []string
		relevant               map[string]struct{}
		recall, ndcg, hit, mrr float64
	}{
		{"perfect", 2, []string{"a", "b"}, rel("a", "b"), 1, 1, 1, 1},
		{"miss", 2, []string{"x", "y"}, rel("a"), 0, 0, 0, 0},
		{"second place", 2, []string{"x", "a"}, rel("a"), 1, 1 / math.Log2(3), 1, 0.5},
		// |test| > K: recall divides by K, ideal DCG over K positions.
		{"more relevant than K", 1, []string{"a", "b"}, rel("a", "b", "c"), 1, 1, 1, 1},
		{"one of three", 3, []string{"x", "y", "c"}, rel("a", "b", "c"), 1.0 / 3, 0.5 / (1 + 1/math.Log2(3) + 0.5), 1, 1.0 / 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newRankMetrics(tt.k)
			m.add(tt.ranked, tt.relevant)
			recall, ndcg, hit, mrr, _ := m.means(10)
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"recall", recall, tt.recall}, {"ndcg", ndcg, tt.ndcg}, {"hit", hit, tt.hit}, {"mrr", mrr, tt.mrr}} {
				if math.Abs(c.got-c.want) > 1e-9 {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestCoverage(t *testing.T) {
	m := newRankMetrics(2)
	m.add([]string{"a", "b", "c"}, map[string]struct{}{"a": {}})
	m.add([]string{"a", "d"}, map[string]struct{}{"d": {}})
	_, _, _, _, cov := m.means(10)
	if cov != 0.3 { // a, b, d of 10 positives; c is beyond K
		t.Fatalf("coverage = %v, want 0.3", cov)
	}
}
