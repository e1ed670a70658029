package features

// ItemID is the dense index of an item in the Catalog.
type ItemID = uint32

// UserID is the dense index of a user in the Users table.
type UserID = uint32

// Names interns external string ids to dense uint32 indexes so that the hot
// paths index slices instead of hashing strings. An index is never reused:
// a forgotten name leaves a hole, which keeps every slice indexed by it
// valid without renumbering.
type Names struct {
	index map[string]uint32
	names []string
}

// NewNames returns an empty table.
func NewNames() *Names {
	return &Names{index: make(map[string]uint32)}
}

// Lookup returns the index of name and whether it is known.
func (n *Names) Lookup(name string) (uint32, bool) {
	id, ok := n.index[name]
	return id, ok
}

// Intern returns the index of name, allocating the next one if name is new.
// The second result reports whether it was new.
func (n *Names) Intern(name string) (uint32, bool) {
	if id, ok := n.index[name]; ok {
		return id, false
	}
	id := uint32(len(n.names))
	n.names = append(n.names, name)
	n.index[name] = id
	return id, true
}

// Name returns the external id of index id, or "" if it was forgotten.
func (n *Names) Name(id uint32) string {
	if int(id) >= len(n.names) {
		return ""
	}
	return n.names[id]
}

// Forget removes name; its index stays allocated but unreachable by name.
func (n *Names) Forget(name string) {
	if id, ok := n.index[name]; ok {
		delete(n.index, name)
		n.names[id] = ""
	}
}
