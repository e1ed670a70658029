package features

import (
	"fmt"
	"reflect"
	"testing"
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
