package features

import "cmp"

// SelectNth returns the value that would be at index n if vals were sorted
// ascending, reordering vals (quickselect, median-of-three pivots): the
// cut for keeping the k largest of many values without sorting them.
// For float32 scores that change from call to call, SelectNthFloat32 is
// the faster from a few hundred values on.
func SelectNth[T cmp.Ordered](vals []T, n int) T {
	lo, hi := 0, len(vals)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// Median of three to vals[mid], then Hoare partition around it.
		if vals[mid] < vals[lo] {
			vals[mid], vals[lo] = vals[lo], vals[mid]
		}
		if vals[hi] < vals[lo] {
			vals[hi], vals[lo] = vals[lo], vals[hi]
		}
		if vals[hi] < vals[mid] {
			vals[hi], vals[mid] = vals[mid], vals[hi]
		}
		pivot := vals[mid]
		i, j := lo, hi
		for i <= j {
			for vals[i] < pivot {
				i++
			}
			for vals[j] > pivot {
				j--
			}
			if i <= j {
				vals[i], vals[j] = vals[j], vals[i]
				i++
				j--
			}
		}
		switch {
		case n <= j:
			hi = j
		case n >= i:
			lo = i
		default:
			return vals[n]
		}
	}
	return vals[n]
}
