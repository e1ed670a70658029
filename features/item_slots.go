package features

import "sync/atomic"

// ItemSlots holds one *T per item, read and replaced atomically by
// requests under the engine's read lock: what requests derive from the
// state and keep for the next request (the engine's social proof and
// complement lists, content's neighbours for light queries).
type ItemSlots[T any] struct {
	entries []atomic.Pointer[T]
}

// Grow makes room for n items. Call it under the engine's write lock (no
// request reads the entries meanwhile).
func (c *ItemSlots[T]) Grow(n int) {
	if n <= len(c.entries) {
		return
	}
	bigger := make([]atomic.Pointer[T], max(n, 2*len(c.entries)))
	for i := range c.entries {
		bigger[i].Store(c.entries[i].Load())
	}
	c.entries = bigger
}

// Slot returns item id's slot, nil for an id beyond the last Grow.
func (c *ItemSlots[T]) Slot(id ItemID) *atomic.Pointer[T] {
	if int(id) < len(c.entries) {
		return &c.entries[id]
	}
	return nil
}
