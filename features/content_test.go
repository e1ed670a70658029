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
	exact := func(f uint32) float64 { return math.Log(1 + float64(c.items)/float64(1+len(c.Postings(f)))) }
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
	for f := range c.dims {
		if len(c.dims[f].postings) == 0 {
			continue
		}
		if got, want := c.IDF(uint32(f)), exact(uint32(f)); math.Abs(got-want) > math.Log(1.1) {
			t.Fatalf("dim %d: IDF %v, exact %v: more than a tenth of growth behind", f, got, want)
		}
	}
}

// TestContentPostingsCarryTheItemsInvNorm: scoring reads an item's norm
// from its postings, so every posting must agree with InvNorm after items
// are added, changed and removed.
func TestContentPostingsCarryTheItemsInvNorm(t *testing.T) {
	c := NewContent()
	for i := 0; i < 300; i++ {
		c.Set(ItemID(i%120), &Item{Title: "item " + strconv.Itoa(i%13), Categories: []string{"shop/" + strconv.Itoa(i%7)}, Brand: "b" + strconv.Itoa(i%5), Price: float64(1 + i)})
		if i%17 == 0 {
			c.Remove(ItemID(i % 31))
		}
	}
	seen := 0
	for f := range c.dims {
		for _, p := range c.Postings(uint32(f)) {
			seen++
			if want := c.InvNorm(p.Item); p.InvNorm != want || want == 0 {
				t.Fatalf("dim %d: posting of item %d carries InvNorm %v, item has %v", f, p.Item, p.InvNorm, want)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no postings")
	}
}
