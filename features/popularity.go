package features

import "math"

// Popularity is a per-item sum of event weights with exponential time
// decay: an event of weight w at time t contributes w·2^(-(now-t)/halfLife).
//
// Values are kept as of one reference time for all items (forward decay):
// an event adds w·2^((t-ref)/halfLife), so an update costs one exp2
// whatever the traffic, the order of events does not matter, and reading
// any number of items at one time costs one exp2 in all (Scale) — an
// answer reads two tables for each of its items' pricing hints.
type Popularity struct {
	halfLifeMs float64
	ref        int64 // the time values are expressed at: the first event's
	value      []float64
}

// rebaseHalfLives is how far past ref an event may be, in half-lives,
// before all values are re-expressed at its time: 2^64 leaves float64
// ample room, and rebasing happens once per 64 half-lives (over a year
// at the default week).
const rebaseHalfLives = 64

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
	}
}

// Add adds weight w for item id at time ts (unix ms), in any order.
func (p *Popularity) Add(id ItemID, w float64, ts int64) {
	if len(p.value) == 0 {
		p.ref = ts
	}
	p.grow(id)
	e := float64(ts-p.ref) / p.halfLifeMs
	if e > rebaseHalfLives {
		p.rebase(ts)
		e = 0
	}
	p.value[id] += w * math.Exp2(e)
}

// rebase re-expresses every value at time to.
func (p *Popularity) rebase(to int64) {
	f := p.Scale(to)
	for i := range p.value {
		p.value[i] *= f
	}
	p.ref = to
}

// Scale returns the factor that turns the table's stored values into
// values at now: At(id, now) == AtScale(id, Scale(now)).
func (p *Popularity) Scale(now int64) float64 {
	return math.Exp2(float64(p.ref-now) / p.halfLifeMs)
}

// AtScale returns the value of item id at the time scale was computed for
// (Scale): for reading many items at one time.
func (p *Popularity) AtScale(id ItemID, scale float64) float64 {
	if int(id) >= len(p.value) {
		return 0
	}
	return p.value[id] * scale
}

// At returns the decayed value of item id at time now.
func (p *Popularity) At(id ItemID, now int64) float64 {
	return p.AtScale(id, p.Scale(now))
}

// Len returns the number of items with a value.
func (p *Popularity) Len() int { return len(p.value) }
