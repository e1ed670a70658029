package features

import "math"

// Popularity is a per-item sum of event weights with exponential time
// decay: an event of weight w at time t contributes w·2^(-(now-t)/halfLife).
// Each item stores its value as of its last update and is decayed lazily,
// so an update costs O(1) whatever the traffic.
type Popularity struct {
	halfLifeMs float64
	value      []float64
	last       []int64
}

// NewPopularity returns a popularity table with the given half-life in
// milliseconds.
func NewPopularity(halfLifeMs int64) *Popularity {
	if halfLifeMs <= 0 {
		halfLifeMs = 1
	}
	return &Popularity{halfLifeMs: float64(halfLifeMs)}
}

func (p *Popularity) grow(id ItemID) {
	for int(id) >= len(p.value) {
		p.value = append(p.value, 0)
		p.last = append(p.last, 0)
	}
}

// Add adds weight w for item id at time ts (unix ms). Events older than the
// item's last update are decayed relative to it, so out-of-order events
// still count by their own age.
func (p *Popularity) Add(id ItemID, w float64, ts int64) {
	p.grow(id)
	if ts >= p.last[id] {
		p.value[id] = p.value[id]*p.decay(ts-p.last[id]) + w
		p.last[id] = ts
		return
	}
	p.value[id] += w * p.decay(p.last[id]-ts)
}

// At returns the decayed value of item id at time now.
func (p *Popularity) At(id ItemID, now int64) float64 {
	if int(id) >= len(p.value) {
		return 0
	}
	if now <= p.last[id] {
		return p.value[id]
	}
	return p.value[id] * p.decay(now-p.last[id])
}

// Len returns the number of items with a value.
func (p *Popularity) Len() int { return len(p.value) }

func (p *Popularity) decay(dtMs int64) float64 {
	return math.Exp2(-float64(dtMs) / p.halfLifeMs)
}
