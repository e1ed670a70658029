package engine

// dedup remembers the last n event ids so that an event Kafka delivers
// twice (at-least-once) is applied once. The window is bounded: an id seen
// more than n events ago is forgotten.
type dedup struct {
	seen map[string]struct{}
	ring []string
	next int
}

func newDedup(n int) *dedup {
	if n < 1 {
		n = 1
	}
	return &dedup{seen: make(map[string]struct{}, n), ring: make([]string, n)}
}

// add records id and reports whether it was already in the window.
func (d *dedup) add(id string) (duplicate bool) {
	if _, ok := d.seen[id]; ok {
		return true
	}
	if old := d.ring[d.next]; old != "" {
		delete(d.seen, old)
	}
	d.ring[d.next] = id
	d.seen[id] = struct{}{}
	d.next++
	if d.next == len(d.ring) {
		d.next = 0
	}
	return false
}

// export returns the remembered ids, oldest first.
func (d *dedup) export() []string {
	out := make([]string, 0, len(d.seen))
	for i := 0; i < len(d.ring); i++ {
		if id := d.ring[(d.next+i)%len(d.ring)]; id != "" {
			out = append(out, id)
		}
	}
	return out
}
