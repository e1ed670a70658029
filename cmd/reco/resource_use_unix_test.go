//go:build unix

package main

import "testing"

// TestProcessUse: where there is getrusage, the process's CPU time is
// measured and grows with work done.
func TestProcessUse(t *testing.T) {
	start := readResourceUse()
	sink := 0
	for i := range 50_000_000 {
		sink += i % 7
	}
	u := readResourceUse().since(start)
	if !u.process || u.cpu <= 0 {
		t.Fatalf("after %d of work: process %v, cpu %v", sink, u.process, u.cpu)
	}
}
