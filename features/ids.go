package features

import "strings"

// ItemID is the dense index of an item in the Catalog.
type ItemID = uint32

// UserID is the dense index of a user in the Users table.
type UserID = uint32

// Names interns external string ids to dense uint32 indexes so that the hot
// paths index slices instead of hashing strings. An index is never reused:
// a forgotten name leaves a hole, which keeps every slice indexed by it
// valid without renumbering.
//
// The index is keyed by 128-bit hashes of the names (HashTable): a lookup
// costs one cache miss and never touches the name's bytes. Every event
// looks up a user and an item, so on a shop whose users do not fit in
// cache this is a large part of applying it.
type Names struct {
	hasher StringHasher
	index  *HashTable[Hash128, uint32]
	names  Pages[string]
}

// NewNames returns an empty table.
func NewNames() *Names {
	return &Names{hasher: NewStringHasher(), index: NewHashTable[Hash128, uint32](0)}
}

// Lookup returns the index of name and whether it is known.
func (n *Names) Lookup(name string) (uint32, bool) {
	return n.index.Get(n.hasher.Hash(name))
}

// Key returns the key name is indexed by. A caller applying a batch
// computes the keys once, prefetches their slots (Prefetch), then interns with
// InternKey, so that the batch's cache misses overlap and no name is
// hashed twice.
func (n *Names) Key(name string) Hash128 { return n.hasher.Hash(name) }

// LookupKey is Lookup with the name's key (Key) already computed.
func (n *Names) LookupKey(k Hash128) (uint32, bool) { return n.index.Get(k) }

// Prefetch prefetches the home slot of key k (see HashTable.Prefetch).
func (n *Names) Prefetch(k Hash128) { n.index.Prefetch(k) }

// Intern returns the index of name, allocating the next one if name is new
// (and storing a copy of name). The second result reports whether it was new.
func (n *Names) Intern(name string) (uint32, bool) {
	return n.InternKey(name, n.hasher.Hash(name))
}

// InternKey is Intern with the name's key (Key) already computed.
func (n *Names) InternKey(name string, k Hash128) (uint32, bool) {
	if id, ok := n.index.Get(k); ok {
		return id, false
	}
	// A copy: name may share the bytes of a message being decoded, which
	// the table must not keep alive.
	id := uint32(n.names.Len())
	n.names.Append(strings.Clone(name))
	n.index.Put(k, id)
	return id, true
}

// Name returns the external id of index id, or "" if it was forgotten.
func (n *Names) Name(id uint32) string {
	if int(id) >= n.names.Len() {
		return ""
	}
	return *n.names.At(id)
}

// Forget removes name; its index stays allocated but unreachable by name.
func (n *Names) Forget(name string) {
	k := n.hasher.Hash(name)
	if id, ok := n.index.Get(k); ok {
		n.index.Delete(k)
		*n.names.At(id) = ""
	}
}
