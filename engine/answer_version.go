package engine

import (
	"sync/atomic"
	"unsafe"

	"reco/features"
)

// userVersions counts, per user, the events that can change the user's
// answers, so that the answer cache can key an answer by them
// (AnswerVersion) without the engine lock: an answer served from the cache
// never waits for ingest, and ingest never waits for it.
//
// The counters sit in a fixed table indexed by a hash of the user's name
// rather than in the user's record, which only the user index finds, and
// ingest changes the index under the lock. Users sharing a counter only
// make each other's cached answers miss sooner, never serve a stale one:
// with 2^20 counters and 100,000 events a second from distinct users, a
// given counter is bumped by someone else about once in 10 s, against the
// cache's default TTL of 1 s.
type userVersions struct {
	counts []atomic.Uint32
}

// userVersionSlots is the table's size (4 MiB of counters), a power of two.
const userVersionSlots = 1 << 20

func newUserVersions() *userVersions {
	return &userVersions{counts: make([]atomic.Uint32, userVersionSlots)}
}

func (v *userVersions) slot(k features.Hash128) *atomic.Uint32 {
	return &v.counts[k.Hi&(userVersionSlots-1)]
}

// bump marks every answer cached for the user with key k stale.
func (v *userVersions) bump(k features.Hash128) { v.slot(k).Add(1) }

// get returns the user's counter.
func (v *userVersions) get(k features.Hash128) uint32 { return v.slot(k).Load() }

// prefetch prefetches the user's counter ahead of a bump, so that the
// misses of a batch overlap (see features.Prefetch).
func (v *userVersions) prefetch(k features.Hash128) { features.Prefetch(unsafe.Pointer(v.slot(k))) }

// AnswerVersion returns a number that changes whenever an answer for user
// could change because of something other than time: the user's own
// events, the catalog, or a newly trained model. Caches key answers by it.
// It takes no lock.
func (e *Engine) AnswerVersion(user string) uint64 {
	v := e.catalogVersion.Load()*0x9e3779b97f4a7c15 ^ e.modelVersion.Load()*0xc2b2ae3d27d4eb4f
	if user != "" {
		v ^= uint64(e.userVersions.get(e.hashers.Load().users.Hash(user))+1) * 0x165667b19e3779f9
	}
	return v
}
