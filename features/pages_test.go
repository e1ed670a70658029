package features

import (
	"strconv"
	"testing"
)

func TestPagesKeepEveryElementAcrossPages(t *testing.T) {
	for _, n := range []int{0, 1, pageLen - 1, pageLen, pageLen + 1, 3*pageLen + 7} {
		var p Pages[int]
		var first *int
		for i := range n {
			p.Append(i)
			if i == 0 {
				first = p.At(0)
			}
		}
		if p.Len() != n {
			t.Fatalf("%d appended: Len %d", n, p.Len())
		}
		for i := range n {
			if got := *p.At(uint32(i)); got != i {
				t.Fatalf("%d appended: element %d is %d", n, i, got)
			}
		}
		if n > 0 && first != p.At(0) {
			t.Errorf("%d appended: element 0 moved", n)
		}
		m := MakePages[int](n)
		if m.Len() != n {
			t.Errorf("MakePages(%d): Len %d", n, m.Len())
		}
		if n > 0 && *m.At(uint32(n - 1)) != 0 {
			t.Errorf("MakePages(%d): last element not zero", n)
		}
		m.Append(-1)
		if m.Len() != n+1 || *m.At(uint32(n)) != -1 {
			t.Errorf("MakePages(%d) then Append: Len %d, last %d", n, m.Len(), *m.At(uint32(n)))
		}
	}
}

// BenchmarkUsersGrow creates 100,000 users from nothing, as a fresh
// engine does when a shop's stream starts: the table grows by pages.
func BenchmarkUsersGrow(b *testing.B) {
	names := make([]string, 100_000)
	for i := range names {
		names[i] = "u" + strconv.Itoa(i)
	}
	for b.Loop() {
		u := NewUsers(50)
		for _, n := range names {
			u.Ensure(n)
		}
	}
}
