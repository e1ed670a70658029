package bench

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// GenerateBaskets writes n synthetic baskets, one per line, with planted
// structure a cross-sell model should find: 400 items in 40 categories;
// every item has two complements in other categories; a basket starts from
// a main item (Zipf-popular), takes each of its complements with
// probability 0.6, and one or two unrelated popular items as noise. So a
// hidden item is usually predictable from the rest of its basket — but
// only through the planted pairs, not through popularity. Same seed, same
// file.
func GenerateBaskets(w io.Writer, n int, seed uint64) error {
	const items, categories = 400, 40
	rng := rand.New(rand.NewPCG(seed, seed+1))
	name := func(i int) string { return fmt.Sprintf("c%02d-i%03d", i%categories, i) }
	complements := make([][2]int, items)
	for i := range complements {
		// Two partners in other categories, fixed per item.
		for k := 0; k < 2; k++ {
			j := rng.IntN(items)
			for j%categories == i%categories {
				j = rng.IntN(items)
			}
			complements[i][k] = j
		}
	}
	zipf := rand.NewZipf(rng, 1.2, 4, items-1)
	bw := bufio.NewWriter(w)
	for b := 0; b < n; b++ {
		main := int(zipf.Uint64())
		basket := []string{name(main)}
		for _, c := range complements[main] {
			if rng.Float64() < 0.6 {
				basket = append(basket, name(c))
			}
		}
		for k := 1 + rng.IntN(2); k > 0; k-- {
			basket = append(basket, name(int(zipf.Uint64())))
		}
		rng.Shuffle(len(basket), func(i, j int) { basket[i], basket[j] = basket[j], basket[i] })
		if _, err := bw.WriteString(strings.Join(basket, ",") + "\n"); err != nil {
			return err
		}
	}
	return bw.Flush()
}
