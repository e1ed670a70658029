package engine

import (
	"context"
	"iter"
	"math"
	"sync"

	"reco/features"
)

// Co-occurrence updates are the largest part of applying an interaction:
// each pairs the item with up to CoOccurrenceWindow earlier items of the
// user, in both directions, in rows spread over the whole table (at 2 M
// events ingested, 62 % of the applying goroutine's time, with 0.7 of the
// two CPUs idle). While Run runs, a worker of its own applies them: the
// goroutine applying events only lists the updates (pairBatch) and hands
// them over with the batch, and the two run on two CPUs. Without Run
// (tests, replays, benchmarks) updates are applied at once, before Apply
// returns.
//
// The table then has its own lock, coocMu: the worker takes it to write,
// readers of the table (answers, the neighbour refresh, snapshots) take
// it to read after the engine's read lock. The worker takes no other
// lock, so it never waits for ingest. Updates are sums, so the order the
// worker applies them in does not matter; answers see an event's
// co-occurrences a few milliseconds after the event itself (its user's
// history, which personalises answers, at once).

// pairBatch is the co-occurrence and basket updates that one hold of the
// engine's lock listed, for the worker: an entry per event (its item, time
// and own weight) and, apart, that event's partners, following the
// previous events' ones.
//
// A partner is 8 bytes and the event's item and time are listed once, not
// with every partner: the applier writes a batch on one CPU and the worker
// reads it on the other, so each of its cache lines crosses between them.
// With an entry of 24 bytes per partner (item, partner, weight, time), an
// event of a long history — 20 partners — listed 8 lines; now 3.
type pairBatch struct {
	events   []pairEvent
	partners []pairPartner
}

// pairEvent is one event's updates. Without basket: item a's occurrence
// of weight w at time ts (the time boost is applied with the update) and
// a pair with each of its n partners. With basket: counts of the basket
// miner (Baskets.AddItem(a), and AddPair(a, b) for each partner), which
// shares the worker and coocMu — cart and purchase events pair with every
// item already in the basket.
type pairEvent struct {
	ts     int64
	a      features.ItemID
	w      float32
	n      int32 // partners, the next n of pairBatch.partners
	basket bool
}

// pairPartner is one pair of an event's item with b, of weight w.
type pairPartner struct {
	b features.ItemID
	w float32
}

func (b *pairBatch) empty() bool { return len(b.events) == 0 }

func (b *pairBatch) reset() {
	b.events, b.partners = b.events[:0], b.partners[:0]
}

// add lists an event's updates: its partners are those listed since
// mark, the length of partners before they were.
func (b *pairBatch) add(ev pairEvent, mark int) {
	ev.n = int32(len(b.partners) - mark)
	b.events = append(b.events, ev)
}

// all yields every event of the batch with its partners, in order.
func (b *pairBatch) all() iter.Seq2[pairEvent, []pairPartner] {
	return func(yield func(pairEvent, []pairPartner) bool) {
		next := 0
		for _, ev := range b.events {
			ps := b.partners[next : next+int(ev.n)]
			next += int(ev.n)
			if !yield(ev, ps) {
				return
			}
		}
	}
}

// addCoOccurrence lists the co-occurrence updates of user u's new
// interaction with item iid of weight w at ts: its occurrence, and a pair
// with each of the last CoOccurrenceWindow distinct items of u's history
// with positive weight. Call it before the interaction joins the history.
//
// An interaction that repeats one in that window at least as strong (a
// second view of an item viewed a few clicks ago) lists nothing: every
// pair it would make was counted when the two items met first, since
// each of them was in the other's window. Counting them again let one
// shopper going back and forth between two items weigh like many
// shoppers. And on the demo's stream, where shoppers return to items
// often, a third of the interactions repeat one so: skipping them lists
// 29 % fewer pairs, and the server replaying that stream at 260 k events/s
// took 7–10 % less CPU (session 23). A stronger repeat (the cart of an
// item viewed) still pairs: it is new evidence.
func (e *Engine) addCoOccurrence(u *features.User, iid features.ItemID, w float32, ts int64) {
	mark := len(e.pairBuf.partners)
	e.paired.reset(e.catalog.Len())
	e.paired.set(iid, 1)
	left := e.cfg.CoOccurrenceWindow
	for k, n := 1, u.HistoryLen(); k <= n && left > 0; k++ {
		x := u.Newest(k)
		if x.Item == iid && e.weight(x.Kind, float64(x.Value)) >= w {
			e.pairBuf.partners = e.pairBuf.partners[:mark]
			return
		}
		if e.paired.has(x.Item) {
			continue
		}
		e.paired.set(x.Item, 1)
		if wj := e.weight(x.Kind, float64(x.Value)); wj > 0 {
			e.pairBuf.partners = append(e.pairBuf.partners, pairPartner{b: x.Item, w: float32(math.Sqrt(float64(w * wj)))})
		}
		left--
	}
	e.pairBuf.add(pairEvent{ts: ts, a: iid, w: w}, mark)
}

// unlockApplied ends a hold of e.mu's write lock during which events were
// applied: every such hold ends here, so that the co-occurrence updates
// the events listed are flushed before any reader — a snapshot above all —
// can see the events themselves.
//
// wake asks the worker to apply the updates at once rather than when
// enough have queued (pairWakeBatches): callers applying few events —
// a slow stream, a single HTTP event — pass true, so that co-occurrences
// and baskets follow within milliseconds whatever the rate.
func (e *Engine) unlockApplied(wake bool) {
	e.flushPairsLocked(wake)
	e.appliedClock.Store(e.clock)
	e.mu.Unlock()
}

// flushPairsLocked hands the updates listed since the last call to the
// worker, or applies them when no worker runs. Call it under e.mu's write
// lock, before unlocking (unlockApplied): a snapshot (under the read lock)
// then finds every update of the events it holds either applied or queued.
func (e *Engine) flushPairsLocked(wake bool) {
	if e.pairBuf.empty() {
		return
	}
	if q := e.pairs.Load(); q != nil {
		if next, ok := q.put(e.pairBuf, wake); ok {
			e.pairBuf = next
			return
		}
	}
	e.coocMu.Lock()
	applyPairs(e.cooc, e.baskets, &e.pairBuf)
	e.coocMu.Unlock()
	e.pairBuf.reset()
}

// applyPairs applies the updates of batch to c and baskets. The rows of a
// large catalog are far from the CPU caches: their headers, then their
// slots, are prefetched for the whole batch first
// (CoOccurrence.PrefetchRow), so that the misses overlap.
func applyPairs(c *features.CoOccurrence, baskets *features.Baskets, batch *pairBatch) {
	for ev, ps := range batch.all() {
		if !ev.basket {
			for _, p := range ps {
				c.PrefetchRow(p.b)
			}
		}
	}
	for ev, ps := range batch.all() {
		if !ev.basket {
			for _, p := range ps {
				c.PrefetchSlot(ev.a, p.b)
				c.PrefetchSlot(p.b, ev.a)
			}
		}
	}
	var lastTS int64
	var boost float32
	boosted := false
	for ev, ps := range batch.all() {
		if ev.basket {
			baskets.AddItem(ev.a)
			for _, p := range ps {
				baskets.AddPair(ev.a, p.b)
			}
			continue
		}
		if !boosted || ev.ts != lastTS { // events of one time share its boost
			lastTS, boost, boosted = ev.ts, c.Boost(ev.ts), true
		}
		c.AddOccurrence(ev.a, ev.w*boost)
		for _, p := range ps {
			c.AddPair(ev.a, p.b, p.w*boost)
		}
	}
}

// runPairWorker applies queued co-occurrence updates until ctx ends, then
// stops taking new ones (they are applied at once again) and applies what
// is queued before returning.
func (e *Engine) runPairWorker(ctx context.Context) {
	q := newPairQueue(maxQueuedPairBatches)
	e.pairs.Store(q)
	stop := context.AfterFunc(ctx, q.close)
	defer stop()
	for {
		batches, ok := q.take()
		if !ok {
			break
		}
		for i := range batches {
			e.coocMu.Lock()
			applyPairs(e.cooc, e.baskets, &batches[i])
			e.coocMu.Unlock()
		}
		q.done(batches)
	}
	e.pairs.Store(nil)
}

// kickPairs makes the worker apply the updates queued so far.
func (e *Engine) kickPairs() {
	if q := e.pairs.Load(); q != nil {
		q.kick()
	}
}

// waitPairs returns once every queued update is applied. Call it under
// e.mu (read or write): no update can be queued meanwhile.
func (e *Engine) waitPairs() {
	if q := e.pairs.Load(); q != nil {
		q.wait()
	}
}

// maxQueuedPairBatches bounds the batches (one per lock hold of the
// applying goroutine, up to applyBatch events each) waiting for the
// worker: beyond it the applying goroutine waits, so a slow worker slows
// ingest instead of queueing without bound.
const maxQueuedPairBatches = 64

// pairQueue passes batches of updates from the applying goroutine to the
// worker, and the emptied batches back for reuse. It is not stream's
// handoff (which the consumer uses between its goroutines): a snapshot
// must be able to wait until nothing is queued or being applied, and once
// the worker stops a batch must be refused — to be applied by the caller —
// rather than queued for nobody.
type pairQueue struct {
	mu      sync.Mutex
	changed sync.Cond // signalled on every change below
	queued  []pairBatch
	free    []pairBatch
	busy    bool // the worker is applying batches it took
	kicked  bool // the worker is to take what is queued, however little
	closed  bool
	max     int
	taken   int // batches the worker took, for tests
}

func newPairQueue(max int) *pairQueue {
	q := &pairQueue{max: max}
	q.changed.L = &q.mu
	return q
}

// put queues b, waiting while the queue is full, and returns an empty
// buffer to list the next updates in. It reports false, keeping b, once
// the queue is closed: the caller applies b itself.
func (q *pairQueue) put(b pairBatch, wake bool) (pairBatch, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.queued) >= q.max && !q.closed {
		q.changed.Wait()
	}
	if q.closed {
		return b, false
	}
	q.queued = append(q.queued, b)
	var next pairBatch
	if n := len(q.free); n > 0 {
		next, q.free = q.free[n-1], q.free[:n-1]
	}
	if wake || len(q.queued) >= pairWakeBatches {
		q.kicked = wake || q.kicked
		q.changed.Broadcast()
	}
	return next, true
}

// pairWakeBatches is how many batches wake the worker, unless a batch asks
// to (see unlockApplied). Waking it for every batch (one per write-lock
// hold, ~17,000 a second at full ingest) cost the applying goroutine a
// scheduler round trip each time — profiled: a quarter of its time was
// spent runnable but not running. Fewer batches wait for a waking one or
// a kick (Run, every NeighborRefresh; a snapshot's wait).
const pairWakeBatches = 8

// pairWakeEvents: ApplyMessages wakes the worker for batches of fewer
// events, which come when the stream is slower than the engine.
const pairWakeEvents = 32

// kick makes the worker apply whatever is queued, however little.
func (q *pairQueue) kick() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.kickLocked()
}

func (q *pairQueue) kickLocked() {
	if len(q.queued) > 0 {
		q.kicked = true
		q.changed.Broadcast()
	}
}

// take waits for queued batches and returns them all; false once the
// queue is closed and empty.
func (q *pairQueue) take() ([]pairBatch, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for !q.closed && (len(q.queued) == 0 || len(q.queued) < pairWakeBatches && !q.kicked) {
		q.changed.Wait()
	}
	q.kicked = false
	if len(q.queued) == 0 {
		return nil, false
	}
	out := q.queued
	q.queued = nil
	q.busy = true
	q.taken += len(out)
	q.changed.Broadcast() // room for put
	return out, true
}

// done hands the batches take returned back, applied.
func (q *pairQueue) done(batches []pairBatch) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, b := range batches {
		b.reset()
		q.free = append(q.free, b)
	}
	q.busy = false
	q.changed.Broadcast()
}

// wait returns once nothing is queued or being applied. Its callers hold
// e.mu, so nothing is queued meanwhile: one kick empties the queue.
func (q *pairQueue) wait() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.kickLocked()
	for len(q.queued) > 0 || q.busy {
		q.changed.Wait()
	}
}

// close makes put refuse batches from now on; take still returns what is
// queued.
func (q *pairQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.changed.Broadcast()
}
