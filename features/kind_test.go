package features

import "testing"

// TestParseKindRoundTrips checks ParseKind's switch against kindNames:
// every kind's name parses back to it, and nothing else parses.
func TestParseKindRoundTrips(t *testing.T) {
	for k := Kind(0); k < numKinds; k++ {
		if got, ok := ParseKind(k.String()); !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v; want %v, true", k.String(), got, ok, k)
		}
	}
	for _, s := range []string{"", "View", "views", "item", "user", "notified", "unknown", "purchase "} {
		if k, ok := ParseKind(s); ok {
			t.Errorf("ParseKind(%q) = %v, true; want no kind", s, k)
		}
	}
}

func BenchmarkParseKind(b *testing.B) {
	names := []string{"view", "impression", "purchase", "item"}
	n := 0
	for i := 0; b.Loop(); i++ {
		if _, ok := ParseKind(names[i%len(names)]); ok {
			n++
		}
	}
	if n == 0 {
		b.Fatal("nothing parsed")
	}
}
