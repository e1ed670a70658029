package engine

import "testing"

func TestDedupForgetsOnlyWhatLeftTheWindow(t *testing.T) {
	d := newDedup(3)
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"a", false}, {"b", false}, {"a", true}, {"c", false},
		{"d", false},              // a leaves the window
		{"b", true}, {"a", false}, // b leaves
		{"c", true}, {"b", false}, // c leaves
		{"c", false}, {"c", true},
	} {
		if got := d.addHash(idHash(tc.id)); got != tc.want {
			t.Fatalf("add(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
