package features

import (
	"math"
	"slices"
)

// The *State types are the persistent form of each feature structure:
// exported, gob-friendly copies that a snapshot stores and a restart loads.
// Derived structures (name indexes, the content index) are rebuilt on
// import instead of stored.
//
// Export copies whatever the structure changes in place, so that the
// copy can be encoded after the caller released its lock (ingest goes on
// meanwhile); what is only ever replaced whole (an item's categories,
// tags and attributes) is shared.

// CatalogState is the persistent form of a Catalog.
type CatalogState struct{ Items []Item }

// Export returns the catalog's persistent form: a copy of the items,
// sharing their categories, tags and attributes, which a catalog event
// replaces rather than modifies.
func (c *Catalog) Export() CatalogState { return CatalogState{Items: slices.Clone(c.items)} }

// ImportCatalog rebuilds a catalog from its persistent form.
func ImportCatalog(s CatalogState) *Catalog {
	c := NewCatalog()
	for _, it := range s.Items {
		c.names.Intern(it.ID)
	}
	c.items = s.Items
	for i := range c.items {
		c.items[i].leafKey = leafKeyOf(c.items[i].Categories) // not persisted
	}
	return c
}

// UserState is the persistent form of one user.
type UserState struct {
	ID                      string
	Consent                 bool
	Events, LastTS          int64
	BasketStart, BasketLast int64
	Shown                   []Shown
	Notified                []Notification
	History                 []Interaction // oldest first
}

// UsersState is the persistent form of Users.
type UsersState struct {
	HistoryLen int
	Users      []UserState
	Live       int
}

// Export returns the users' persistent form.
func (t *Users) Export() UsersState {
	s := UsersState{HistoryLen: t.historyLen, Users: make([]UserState, t.users.Len()), Live: t.live}
	// The histories, shown items and notifications go into three arrays
	// that the users' slices share: three allocations, not up to three per
	// user (the copy is made under the lock that ingest waits for).
	var histories, shown, notified int
	for i := range uint32(t.users.Len()) {
		u := t.users.At(i)
		histories, shown, notified = histories+len(u.history), shown+len(u.Shown), notified+len(u.Notified)
	}
	allHistory := make([]Interaction, 0, histories)
	allShown, allNotified := make([]Shown, 0, shown), make([]Notification, 0, notified)
	for i := range uint32(t.users.Len()) {
		u := t.users.At(i)
		us := UserState{ID: u.ID, Consent: u.Consent, Events: u.Events, LastTS: u.LastTS,
			BasketStart: u.BasketStart, BasketLast: u.BasketLast}
		allShown, us.Shown = appendShared(allShown, u.Shown)
		allNotified, us.Notified = appendShared(allNotified, u.Notified)
		if len(u.history) > 0 {
			start := len(allHistory)
			for _, x := range u.history[u.head:] {
				allHistory = append(allHistory, x.interaction())
			}
			for _, x := range u.history[:u.head] {
				allHistory = append(allHistory, x.interaction())
			}
			us.History = allHistory[start:len(allHistory):len(allHistory)]
		}
		s.Users[i] = us
	}
	return s
}

// appendShared appends part to all, which has room for it, and returns
// all and the copy of part in it (nil for an empty part).
func appendShared[T any](all, part []T) ([]T, []T) {
	if len(part) == 0 {
		return all, nil
	}
	start := len(all)
	all = append(all, part...)
	return all, all[start:len(all):len(all)]
}

// ImportUsers rebuilds Users from its persistent form, remembering up to
// historyLen interactions per user from now on (0: as many as when it was
// exported): a history longer than that keeps its newest part, a shorter
// one grows to it. Erased users keep their (empty) slot so that ids stay
// stable, but are not findable.
func ImportUsers(s UsersState, historyLen int) *Users {
	if historyLen <= 0 {
		historyLen = s.HistoryLen
	}
	t := NewUsers(historyLen)
	t.users = MakePages[User](len(s.Users))
	// The histories go into one array that the users' slices share, each
	// capped at its length so that a user's next interaction copies it
	// out rather than overwriting its neighbour's.
	var histories int
	for _, us := range s.Users {
		histories += min(len(us.History), t.historyLen)
	}
	allHistory := make([]storedInteraction, 0, histories)
	for i, us := range s.Users {
		// Every slot takes an index, erased ones under a name no event can
		// carry (ids cannot contain control characters).
		if us.ID == "" {
			t.names.Intern("\x00erased")
			t.names.Forget("\x00erased")
		} else {
			t.names.Intern(us.ID)
		}
		kept := us.History
		if len(kept) > t.historyLen {
			kept = kept[len(kept)-t.historyLen:]
		}
		var hist []storedInteraction
		if len(kept) > 0 {
			start := len(allHistory)
			for _, x := range kept {
				allHistory = append(allHistory, storeInteraction(x))
			}
			hist = allHistory[start:len(allHistory):len(allHistory)]
		}
		*t.users.At(uint32(i)) = User{ID: us.ID, Consent: us.Consent, Events: us.Events, LastTS: us.LastTS,
			BasketStart: us.BasketStart, BasketLast: us.BasketLast, Shown: us.Shown, Notified: us.Notified, history: hist}
		if len(hist) == t.historyLen {
			t.users.At(uint32(i)).head = 0
		}
	}
	t.live = s.Live
	return t
}

// CoOccurrenceState is the persistent form of a CoOccurrence.
type CoOccurrenceState struct {
	Partners   [][]ItemID
	Weights    [][]float32
	Occurrence []float32
	MaxRow     int // the bound the table was kept with; ImportCoOccurrence applies the caller's
	HalfLifeMs float64
	BaseTS     int64
	Based      bool
}

// Export returns the table's persistent form.
func (c *CoOccurrence) Export() CoOccurrenceState {
	s := CoOccurrenceState{Partners: make([][]ItemID, len(c.rows)), Weights: make([][]float32, len(c.rows)),
		Occurrence: make([]float32, len(c.rows)), MaxRow: c.maxRow, HalfLifeMs: c.halfLifeMs, BaseTS: c.baseTS, Based: c.based}
	// Two flat arrays that the rows' slices share: two allocations, not
	// two growing slices per row (the copy is made under the lock that
	// ingest waits for).
	total := 0
	for i := range c.rows {
		total += int(c.rows[i].n)
	}
	partners, weights := make([]ItemID, 0, total), make([]float32, 0, total)
	for i := range c.rows {
		s.Occurrence[i] = c.rows[i].occurrence
		start := len(partners)
		c.EachPartner(ItemID(i), func(b ItemID, w float32) {
			partners, weights = append(partners, b), append(weights, w)
		})
		if len(partners) > start {
			s.Partners[i], s.Weights[i] = partners[start:len(partners):len(partners)], weights[start:len(weights):len(weights)]
		}
	}
	return s
}

// ImportCoOccurrence rebuilds a table from its persistent form, keeping
// at most maxRow partners per item: the configured bound, not the one the
// snapshot was taken with, so that a restart is how a new bound (a new
// default) reaches a running shop. A row longer than maxRow is pruned as
// ingest prunes one (its strongest maxRow/2 kept) and sized for what it
// keeps.
func ImportCoOccurrence(s CoOccurrenceState, maxRow int) *CoOccurrence {
	c := NewCoOccurrence(maxRow, 0)
	c.halfLifeMs, c.baseTS, c.based = s.HalfLifeMs, s.BaseTS, s.Based
	c.rows = make([]coRow, max(len(s.Partners), len(s.Occurrence)))
	for i, o := range s.Occurrence {
		c.rows[i].occurrence = o
	}
	for i := range s.Partners {
		row := &c.rows[i].partners
		for j, b := range s.Partners[i] {
			row.add(b, s.Weights[i][j], &c.pool)
		}
		if int(row.n) > c.maxRow {
			c.prune(row)
			row.rebuild(slotsFor(int(row.n)), func(uint32, float32) bool { return true }, &c.pool)
		}
	}
	c.toDense()
	return c
}

// BasketsState is the persistent form of Baskets.
type BasketsState struct {
	Pairs CoOccurrenceState
	Total float64
}

// Export returns the miner's persistent form.
func (b *Baskets) Export() BasketsState { return BasketsState{Pairs: b.pairs.Export(), Total: b.total} }

// ImportBaskets rebuilds a miner from its persistent form, keeping at
// most maxRow partners per item as ImportCoOccurrence does.
func ImportBaskets(s BasketsState, maxRow int) *Baskets {
	return &Baskets{pairs: ImportCoOccurrence(s.Pairs, maxRow), total: s.Total}
}

// PopularityState is the persistent form of a Popularity: each item's
// value as of its Last time. (Snapshots from before values shared one
// reference time have a Last per item; they import the same.)
type PopularityState struct {
	HalfLifeMs float64
	Value      []float64
	Last       []int64
}

// Export returns the table's persistent form.
func (p *Popularity) Export() PopularityState {
	last := make([]int64, len(p.value))
	for i := range last {
		last[i] = p.ref
	}
	return PopularityState{HalfLifeMs: p.halfLifeMs, Value: slices.Clone(p.value), Last: last}
}

// ImportPopularity rebuilds a table from its persistent form, its values
// re-expressed at the latest Last.
func ImportPopularity(s PopularityState) *Popularity {
	p := &Popularity{halfLifeMs: s.HalfLifeMs, value: s.Value}
	if p.halfLifeMs <= 0 {
		p.halfLifeMs = 1
	}
	if len(s.Last) > 0 {
		p.ref = slices.Max(s.Last)
	}
	for i := range p.value {
		if i < len(s.Last) && s.Last[i] != p.ref {
			p.value[i] *= math.Exp2(float64(s.Last[i]-p.ref) / p.halfLifeMs)
		}
	}
	return p
}

// WeeklyState is the persistent form of WeeklyCounts.
type WeeklyState struct {
	Days, Counts [][7]int32
}

// Export returns the counts' persistent form.
func (w *WeeklyCounts) Export() WeeklyState {
	s := WeeklyState{Days: make([][7]int32, len(w.buckets)), Counts: make([][7]int32, len(w.buckets))}
	for i, b := range w.buckets {
		s.Days[i], s.Counts[i] = b.day, b.count
	}
	return s
}

// ImportWeekly rebuilds counts from their persistent form.
func ImportWeekly(s WeeklyState) WeeklyCounts {
	w := WeeklyCounts{buckets: make([]weekBuckets, len(s.Days))}
	for i := range s.Days {
		w.buckets[i] = weekBuckets{day: s.Days[i], count: s.Counts[i]}
	}
	return w
}

// PricePointState is the persistent form of one item's price points.
type PricePointState struct {
	Day            []int32
	Units, Revenue []float32
	Next, N        uint8
}

// Export returns the price points' persistent form.
func (p *PricePoints) Export() []PricePointState {
	out := make([]PricePointState, len(p.items))
	for i, r := range p.items {
		s := PricePointState{Next: r.next, N: r.n}
		for _, pt := range r.pts {
			s.Day = append(s.Day, pt.day)
			s.Units = append(s.Units, pt.units)
			s.Revenue = append(s.Revenue, pt.revenue)
		}
		out[i] = s
	}
	return out
}

// ImportPricePoints rebuilds price points from their persistent form.
func ImportPricePoints(s []PricePointState) PricePoints {
	p := PricePoints{items: make([]pricePointRing, len(s))}
	for i, st := range s {
		r := &p.items[i]
		r.next, r.n = st.Next%pricePointDays, min(st.N, pricePointDays)
		for j := 0; j < pricePointDays && j < len(st.Day) && j < len(st.Units) && j < len(st.Revenue); j++ {
			r.pts[j] = pricePoint{day: st.Day[j], units: st.Units[j], revenue: st.Revenue[j]}
		}
		r.resum() // the regression's sums are not kept: they follow from the points
		r.estimate()
	}
	return p
}
