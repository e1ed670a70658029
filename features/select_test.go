package features

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSelectNthMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name     string
		n        int
		distinct int // values drawn from this many; small = many ties
	}{
		{"one", 1, 1}, {"two", 2, 2}, {"ties", 1000, 3}, {"equal", 500, 1}, {"spread", 1001, 1 << 30},
	} {
		vals := make([]float32, tc.n)
		for i := range vals {
			vals[i] = float32(rng.IntN(tc.distinct))
		}
		sorted := slices.Sorted(slices.Values(vals))
		for _, k := range []int{0, tc.n / 4, tc.n / 2, tc.n - 1} {
			work := slices.Clone(vals)
			if got := SelectNth(work, k); got != sorted[k] {
				t.Errorf("%s: SelectNth(k=%d) = %v, want %v", tc.name, k, got, sorted[k])
			}
		}
	}
}
