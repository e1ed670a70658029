package features

import (
	"math"
	"strconv"
	"testing"
)

// TestContentIDFStaysCloseToExact: IDF is kept per dimension instead of
// computed per query; it must stay within the tenth of catalog growth it
// is allowed to lag, and be exact for the dims an update just touched.
func TestContentIDFStaysCloseToExact(t *testing.T) {
	c := NewContent()
	exact := func(f uint32) float64 { return math.Log(1 + float64(c.items)/float64(1+c.df[f])) }
	for i := 0; i < 5000; i++ {
		it := &Item{Title: "item" + strconv.Itoa(i), Categories: []string{"shop/" + strconv.Itoa(i%7)}, Brand: "b" + strconv.Itoa(i%50)}
		c.Set(ItemID(i), it)
		for _, f := range c.Features(ItemID(i)) {
			if got, want := c.IDF(f), exact(f); math.Abs(got-want) > 1e-5 {
				t.Fatalf("item %d: IDF of a dim it just touched = %v, want %v", i, got, want)
			}
		}
	}
	// Every dim in use, touched lately or not, within the allowed lag:
	// log(1+1.1x) - log(1+x) < log(1.1).
	for f := range c.df {
		if c.df[f] == 0 {
			continue
		}
		if got, want := c.IDF(uint32(f)), exact(uint32(f)); math.Abs(got-want) > math.Log(1.1) {
			t.Fatalf("dim %d: IDF %v, exact %v: more than a tenth of growth behind", f, got, want)
		}
	}
}
