package features

import "testing"

// TestSlotPoolReusesClearedArrays: an array put back is handed out again
// for its size, empty; at most slotPoolDepth arrays a size are kept;
// sizes the pool does not keep, and a nil pool, allocate.
func TestSlotPoolReusesClearedArrays(t *testing.T) {
	filled := func(size int) []partnerSlot {
		s := make([]partnerSlot, size)
		for i := range s {
			s[i] = partnerSlot{key: uint32(i + 1), val: 1}
		}
		return s
	}
	for _, tc := range []struct {
		name      string
		put       []int // sizes put back, in order
		get       int   // size asked for, as many times as put
		reused    int   // how many of those gets return an array put back
		wantEmpty bool
	}{
		{"same size", []int{64}, 64, 1, true},
		{"other size", []int{64}, 128, 0, true},
		{"beyond the depth", repeat(8, slotPoolDepth+1), 8, slotPoolDepth, true},
		{"not a power of two", []int{24}, 8, 0, true}, // 24 ends in the bits of 8
		{"smaller than 8", []int{4}, 4, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pool slotPool
			kept := map[*partnerSlot]bool{}
			for _, size := range tc.put {
				s := filled(size)
				kept[&s[0]] = true
				pool.put(s)
			}
			reused := 0
			for range tc.put {
				s := pool.get(tc.get)
				if len(s) != tc.get {
					t.Fatalf("get(%d) returned %d slots", tc.get, len(s))
				}
				if kept[&s[0]] {
					reused++
				}
				for i, sl := range s {
					if sl != (partnerSlot{}) {
						t.Fatalf("get(%d): slot %d holds %+v, want empty", tc.get, i, sl)
					}
				}
			}
			if reused != tc.reused {
				t.Errorf("%d of %d gets reused an array put back, want %d", reused, len(tc.put), tc.reused)
			}
		})
	}
	var none *slotPool
	none.put(filled(8))
	if s := none.get(8); len(s) != 8 || s[0] != (partnerSlot{}) {
		t.Errorf("nil pool: get(8) = %v", s)
	}
}

// repeat returns n times size.
func repeat(size, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = size
	}
	return out
}
