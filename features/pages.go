package features

// Pages is an append-only array kept in fixed-size pages, indexed by the
// dense uint32 ids of Names. Appending never copies what is already there.
//
// A plain slice grown by append copies everything at each doubling and
// touches about three times the final size in fresh memory; on this
// project's benchmark VM a fresh page costs about 5 µs to fault in, so
// creating 100,000 users with their names took 148 ms with slices, 37 ms
// with pages (BenchmarkUsersGrow; docs/performance.md, session 9). The
// price is one more load per access, from a page list small enough to
// stay in cache (1 M users: ~1,000 pages, 24 KB).
type Pages[T any] struct {
	pages [][]T // every page has pageLen elements; the last is filled up to n
	n     int
}

// pageShift sets the page size: 1,024 elements (a user record is ~140
// bytes, so ~140 KB a page, the most a table leaves unused).
const (
	pageShift = 10
	pageLen   = 1 << pageShift
	pageMask  = pageLen - 1
)

// MakePages returns an array of n zero elements.
func MakePages[T any](n int) Pages[T] {
	var p Pages[T]
	for p.n < n {
		p.grow()
		p.n = min(n, len(p.pages)*pageLen)
	}
	return p
}

// Len returns the number of elements.
func (p *Pages[T]) Len() int { return p.n }

// At returns element i, which must be below Len. The pointer stays valid
// and keeps pointing at element i for the life of the array.
func (p *Pages[T]) At(i uint32) *T { return &p.pages[i>>pageShift][i&pageMask] }

// Append adds v at the end.
func (p *Pages[T]) Append(v T) {
	if p.n == len(p.pages)*pageLen {
		p.grow()
	}
	p.pages[p.n>>pageShift][p.n&pageMask] = v
	p.n++
}

func (p *Pages[T]) grow() { p.pages = append(p.pages, make([]T, pageLen)) }
