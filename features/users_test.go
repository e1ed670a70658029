package features

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"
)

// TestPrefetchUserOnlyReads prefetches the records and history rings
// (PrefetchUser, PrefetchHistory) of users whose rings are empty,
// short, full and wrapped (the newest entries then straddle the ring's
// end): it must not panic, and must leave every history as it was.
func TestPrefetchUserOnlyReads(t *testing.T) {
	for _, capacity := range []int{1, 3, 8, 200} {
		for _, n := range []int{0, 1, 3, 4, 5, 31, 32, 33, 199, 250, 401} {
			t.Run(fmt.Sprintf("cap %d, %d events", capacity, n), func(t *testing.T) {
				us := NewUsers(capacity)
				id := us.Ensure("u1")
				for i := range n {
					us.Append(id, Interaction{TS: int64(i + 1), Item: ItemID(i % 7), Kind: View})
				}
				var before []Interaction
				us.User(id).Recent(0, func(x Interaction) bool { before = append(before, x); return true })
				us.PrefetchUser(id)
				us.PrefetchHistory(id)
				var after []Interaction
				us.User(id).Recent(0, func(x Interaction) bool { after = append(after, x); return true })
				if !reflect.DeepEqual(before, after) || len(after) != min(n, capacity) {
					t.Fatalf("history of %d after the prefetch, %d before, want %d", len(after), len(before), min(n, capacity))
				}
			})
		}
	}
}

// TestPrefetchUserCoversApply guards the layout PrefetchUser relies on:
// every field applying an event reads lies in the bytes it prefetches,
// from Consent to the end of head. A field moved in User fails it.
func TestPrefetchUserCoversApply(t *testing.T) {
	var u User
	from := unsafe.Offsetof(u.Consent)
	to := from + prefetchedUserBytes
	for _, f := range []struct {
		name       string
		at, length uintptr
	}{
		{"Consent", unsafe.Offsetof(u.Consent), unsafe.Sizeof(u.Consent)},
		{"Events", unsafe.Offsetof(u.Events), unsafe.Sizeof(u.Events)},
		{"LastTS", unsafe.Offsetof(u.LastTS), unsafe.Sizeof(u.LastTS)},
		{"BasketStart", unsafe.Offsetof(u.BasketStart), unsafe.Sizeof(u.BasketStart)},
		{"BasketLast", unsafe.Offsetof(u.BasketLast), unsafe.Sizeof(u.BasketLast)},
		{"Shown", unsafe.Offsetof(u.Shown), unsafe.Sizeof(u.Shown)},
		{"history", unsafe.Offsetof(u.history), unsafe.Sizeof(u.history)},
		{"head", unsafe.Offsetof(u.head), unsafe.Sizeof(u.head)},
	} {
		if f.at < from || f.at+f.length > to {
			t.Errorf("%s at bytes %d–%d is outside the bytes PrefetchUser prefetches (%d–%d)", f.name, f.at, f.at+f.length, from, to)
		}
	}
}
