package features

import "testing"

// TestLeafKey: items of one leaf category share a key whatever their
// parents, other leaves and no categories differ, and the key set with
// the categories, given by a literal, and rebuilt by a catalog import
// agree.
func TestLeafKey(t *testing.T) {
	cats := [][]string{
		{"shoes", "shoes/running"},
		{"sale", "shoes/running"},
		{"shoes", "shoes/trail"},
		{"shoes"},
		nil,
	}
	var set []Item
	for _, c := range cats {
		var it Item
		it.SetCategories(c)
		set = append(set, it)
	}
	imported := ImportCatalog(CatalogState{Items: []Item{{ID: "a", Categories: cats[0]}, {ID: "b", Categories: cats[2]}}})
	tests := []struct {
		name string
		a, b uint64
		same bool
	}{
		{"same leaf, other parent", set[0].LeafKey(), set[1].LeafKey(), true},
		{"sibling leaves", set[0].LeafKey(), set[2].LeafKey(), false},
		{"leaf and its parent", set[0].LeafKey(), set[3].LeafKey(), false},
		{"set and literal", set[2].LeafKey(), (&Item{Categories: cats[2]}).LeafKey(), true},
		{"set and imported", set[0].LeafKey(), imported.items[0].leafKey, true},
		{"imported siblings", imported.items[0].leafKey, imported.items[1].leafKey, false},
	}
	for _, tt := range tests {
		if (tt.a == tt.b) != tt.same {
			t.Errorf("%s: keys %x and %x, want equal %v", tt.name, tt.a, tt.b, tt.same)
		}
	}
	if k := set[4].LeafKey(); k != 0 {
		t.Errorf("no categories: key %x, want 0", k)
	}
	for i, it := range set[:4] {
		if it.LeafKey() == 0 {
			t.Errorf("%v: key 0, want non-zero", cats[i])
		}
	}
}
