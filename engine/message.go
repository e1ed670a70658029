package engine

import "reco/features"

// Position names one partition of one Kafka topic.
type Position struct {
	Topic     string
	Partition int
}

// A Message is one Kafka message on its way into the engine: decoded by
// Decode (which needs no lock and can run on another goroutine than the
// one applying), then applied by ApplyMessages.
type Message struct {
	Pos    Position
	Offset int64
	Event  Event
	// Err says why the message was rejected (a *DecodeError); a rejected
	// message changes nothing but the partition's offset.
	Err error
	// keys are the event's hashes: keys.id is computed by Decode, the user
	// and item keys by DecodeMessage (both on the decoding goroutine, not
	// under the lock) or else by ApplyMessages before it applies the batch.
	keys eventKeys
}

// eventKeys are an event's hashes, computed ahead of applying it so that
// a batch's lookups can be warmed together: the dedup hash of its id (0:
// no id) and the index keys of its user and item names (zero: not
// computed; the apply path hashes the name itself).
type eventKeys struct {
	id         uint64
	user, item features.Hash128
	hashers    *nameHashers // the ones user and item were computed with
	// uid and iid are the user's and the item's ids plus one, found while
	// warming (0: not known then). uid is valid only while Users.Erased
	// still returns erased: an erasure forgets a user's name.
	uid    features.UserID
	iid    features.ItemID
	erased uint32
}

// nameHashers are the hashers of the engine's user and item name indexes.
// They change only when a snapshot replaces the indexes; keys computed
// with others are computed again under the lock.
type nameHashers struct{ users, items features.StringHasher }

func (e *Engine) storeHashers() {
	e.hashers.Store(&nameHashers{users: e.users.Hasher(), items: e.catalog.Hasher()})
}

// DecodeMessage is m.Decode(value) plus hashing the event's user and item
// names for the engine's indexes — work ApplyMessages would otherwise do
// under the engine's lock, on the one goroutine that applies. The
// consumer calls it on its fetching goroutines.
func (e *Engine) DecodeMessage(m *Message, value []byte) {
	m.Decode(value)
	if m.Err == nil {
		m.Err = e.CheckTimestamp(&m.Event)
	}
	if m.Err != nil {
		return
	}
	h := e.hashers.Load()
	if ev := &m.Event; ev.User != "" {
		m.keys.user = h.users.Hash(ev.User)
	}
	if ev := &m.Event; ev.Item != "" {
		m.keys.item = h.items.Hash(ev.Item)
	}
	m.keys.hashers = h
}

// Decode decodes and validates value into m.Event, or sets m.Err. The
// event's user, item and id strings may share value's bytes, so value must
// not change until m has been applied (the consumer's read buffers are
// kept until then); the engine keeps a copy of any name it remembers.
func (m *Message) Decode(value []byte) {
	m.Event = Event{}
	m.Err = decodeEventInto(value, &m.Event, true)
	m.keys = eventKeys{}
	if m.Err == nil && m.Event.ID != "" {
		m.keys.id = idHash(m.Event.ID)
	}
}

// ApplyMessages applies msgs in order under one lock and records, under the
// same lock, that each message's partition continues at its offset+1 —
// also for rejected messages — so that a snapshot's state and offsets
// always agree: a restart resumes exactly after the last message the state
// holds. Readers wait while the lock is held: callers pass small batches
// (the consumer passes at most applyBatch). Pointers, because the caller
// keeps its messages where they were decoded: copying them here would
// move every event once more.
//
// The batch's reads are warmed (warm) under the read lock, beside the
// requests being answered, so that the write lock, which every request
// waits for, is held only to apply: a third less of it per batch.
func (e *Engine) ApplyMessages(msgs []*Message) {
	e.mu.RLock()
	e.warm(msgs)
	e.mu.RUnlock()
	e.mu.Lock()
	current := e.hashers.Load()
	for _, m := range msgs {
		if m.keys.hashers != current { // a snapshot replaced the indexes meanwhile: hash again
			m.keys = eventKeys{id: m.keys.id}
		}
		e.applyMessageLocked(m)
	}
	e.unlockApplied(len(msgs) < pairWakeEvents)
}

// ApplyMessage decodes and applies one Kafka message; see ApplyMessages.
func (e *Engine) ApplyMessage(pos Position, offset int64, value []byte) error {
	m := Message{Pos: pos, Offset: offset}
	m.Decode(value)
	e.mu.Lock()
	e.applyMessageLocked(&m)
	e.unlockApplied(true)
	return m.Err
}

func (e *Engine) applyMessageLocked(m *Message) {
	if m.Err == nil {
		e.applyKeyedLocked(&m.Event, m.keys)
	}
	e.offsets[m.Pos] = m.Offset + 1
}

// warm prefetches, for every message of a batch, what its apply will look
// up: first its dedup slots and the name-index slots of its user and
// item, then the user's and the item's records, then the user's newest
// history entries (each wave's addresses are in what the one before
// brought in). The dedup window, the name indexes and the records of a
// large shop are far larger than the CPU caches; read one event at a
// time, each lookup is a cache miss the CPU waits for, while prefetches
// issued together for the whole batch overlap (see features.Prefetch).
// Keys it has to compute are kept in the message, so no name is hashed
// twice. It only reads the engine, so the read lock is enough.
func (e *Engine) warm(msgs []*Message) {
	i := 0
	current := e.hashers.Load()
	for _, m := range msgs {
		if m.Err != nil {
			continue
		}
		if m.keys.id != 0 {
			e.dedup.prefetch(m.keys.id, i)
			i++
		}
		ev := &m.Event
		if m.keys.hashers != current { // not hashed ahead (DecodeMessage), or for replaced indexes
			m.keys.user, m.keys.item, m.keys.hashers = features.Hash128{}, features.Hash128{}, current
			if ev.User != "" {
				m.keys.user = e.users.Key(ev.User)
			}
			if ev.Item != "" {
				m.keys.item = e.catalog.Key(ev.Item)
			}
		}
		if ev.User != "" {
			e.users.Prefetch(m.keys.user)
			e.userVersions.prefetch(m.keys.user)
		}
		if ev.Item != "" {
			e.catalog.Prefetch(m.keys.item)
		}
	}
	// Second wave: the records the first wave's slots point to.
	for _, m := range msgs {
		if m.keys.user != (features.Hash128{}) {
			if uid, ok := e.users.LookupKey(m.keys.user); ok {
				e.users.PrefetchUser(uid)
				m.keys.uid, m.keys.erased = uid+1, e.users.Erased()
			}
		}
		if m.keys.item != (features.Hash128{}) {
			if iid, ok := e.catalog.LookupKey(m.keys.item); ok {
				e.catalog.PrefetchItem(iid)
				m.keys.iid = iid + 1
			}
		}
	}
	// Third wave: the history rings the records point to.
	for _, m := range msgs {
		if uid, ok := e.warmedUser(m.keys); ok {
			e.users.PrefetchHistory(uid)
		}
	}
}
