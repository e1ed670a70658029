package features

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"
)

// TestTouchUserOnlyReads touches the records and history rings
// (TouchUser, TouchHistory) of users whose rings are empty,
// short, full and wrapped (the newest entries then straddle the ring's
// end): it must not panic, and must leave every history as it was.
func TestTouchUserOnlyReads(t *testing.T) {
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
				_ = us.TouchUser(id) != us.TouchHistory(id)
				var after []Interaction
				us.User(id).Recent(0, func(x Interaction) bool { after = append(after, x); return true })
				if !reflect.DeepEqual(before, after) || len(after) != min(n, capacity) {
					t.Fatalf("history of %d after the touch, %d before, want %d", len(after), len(before), min(n, capacity))
				}
			})
		}
	}
}

// TestTouchUserReadsEveryLine guards the layout TouchUser relies on: the
// fields it reads, from Consent to head, must be at most 64 bytes apart,
// or a cache line between two of them could go unread. A field moved in
// User fails it.
func TestTouchUserReadsEveryLine(t *testing.T) {
	var u User
	read := []struct {
		name string
		at   uintptr
	}{
		{"Consent", unsafe.Offsetof(u.Consent)},
		{"len(Shown)", unsafe.Offsetof(u.Shown) + unsafe.Sizeof(uintptr(0))},
		{"history", unsafe.Offsetof(u.history)},
		{"head", unsafe.Offsetof(u.head)},
	}
	for i := 1; i < len(read); i++ {
		if gap := int(read[i].at) - int(read[i-1].at); gap <= 0 || gap > 64 {
			t.Errorf("%s at byte %d, %s at byte %d: %d bytes apart, want 1–64", read[i-1].name, read[i-1].at, read[i].name, read[i].at, gap)
		}
	}
	for _, f := range []struct {
		name string
		at   uintptr
	}{
		{"Events", unsafe.Offsetof(u.Events)}, {"LastTS", unsafe.Offsetof(u.LastTS)},
		{"BasketStart", unsafe.Offsetof(u.BasketStart)}, {"BasketLast", unsafe.Offsetof(u.BasketLast)},
	} {
		if f.at < read[0].at || f.at > read[len(read)-1].at {
			t.Errorf("%s at byte %d is outside the bytes TouchUser reads (%d–%d)", f.name, f.at, read[0].at, read[len(read)-1].at)
		}
	}
}
