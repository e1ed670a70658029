package engine

import (
	"sync/atomic"

	"reco/features"
)

// itemSlots holds one *T per item, read and replaced atomically by
// requests under the engine's read lock: what requests derive from the
// state and keep for the next request (proofCache, complementCache).
type itemSlots[T any] struct {
	entries []atomic.Pointer[T]
}

// grow makes room for n items. Call it under the engine's write lock (no
// request reads the entries meanwhile).
func (c *itemSlots[T]) grow(n int) {
	if n <= len(c.entries) {
		return
	}
	bigger := make([]atomic.Pointer[T], max(n, 2*len(c.entries)))
	for i := range c.entries {
		bigger[i].Store(c.entries[i].Load())
	}
	c.entries = bigger
}

// slot returns item id's slot, nil for an id beyond the last grow.
func (c *itemSlots[T]) slot(id features.ItemID) *atomic.Pointer[T] {
	if int(id) < len(c.entries) {
		return &c.entries[id]
	}
	return nil
}
