package features

import "unsafe"

// Interaction is one remembered event of a user.
type Interaction struct {
	TS    int64 // unix ms
	Item  ItemID
	Value float32 // rating for Rate, quantity for Cart/Purchase, 0 otherwise
	Kind  Kind
}

// storedInteraction is how a history keeps an Interaction: in 16 bytes
// instead of 24 (Go pads the Interaction's 17 to its int64's alignment),
// the kind in the low byte of the time. Histories are one of the
// largest parts of the state: most of the memory benchmark's 20 M events
// stay in one (up to 200 a user), 108 MiB less live heap this way.
type storedInteraction struct {
	tsKind int64 // TS<<8 | Kind
	item   ItemID
	value  float32
}

// maxStoredTS bounds the times a history stores: the 56 bits left beside
// the kind, ±1.1 million years of unix ms. A time beyond is stored as the
// bound (the engine refuses events more than --max-event-future ahead
// unless told not to).
const maxStoredTS = 1<<55 - 1

func storeInteraction(x Interaction) storedInteraction {
	ts := min(max(x.TS, -maxStoredTS), maxStoredTS)
	return storedInteraction{tsKind: ts<<8 | int64(x.Kind), item: x.Item, value: x.Value}
}

func (s storedInteraction) interaction() Interaction {
	return Interaction{TS: s.tsKind >> 8, Item: s.item, Value: s.value, Kind: Kind(uint8(s.tsKind))}
}

// User is what the engine holds about one user.
type User struct {
	ID      string
	Consent bool  // false: no personalisation
	Events  int64 // interactions ever applied, including ones that fell out of History
	LastTS  int64 // unix ms of the last event
	// BasketStart and BasketLast bound the user's current basket: its
	// first and latest cart or purchase event (unix ms).
	BasketStart, BasketLast int64
	// Shown counts impressions per item since the user last clicked or
	// bought it, for the few items most recently shown (see ShownLen).
	Shown []Shown
	// Notified remembers what notification answers sent this user, for
	// frequency caps (bounded to NotifiedLen, oldest dropped first).
	Notified []Notification
	history  []storedInteraction
	head     int // when history is full, index of the oldest entry
}

// HistoryLen returns the number of remembered interactions.
func (u *User) HistoryLen() int { return len(u.history) }

// Newest returns the k-th newest remembered interaction: k = 1 is the
// newest, k = HistoryLen() the oldest. It is Recent for the ingest path,
// where a loop over it compiles to a plain loop (a function value passed
// to Recent is called once per step).
func (u *User) Newest(k int) Interaction { return u.history[u.newestSlot(k)].interaction() }

// newestSlot is the index in history of the k-th newest interaction. The
// newest entry sits just before head (wrapping); head is 0 while the ring
// is not yet full, so this also covers the append phase.
func (u *User) newestSlot(k int) int {
	i := u.head - k
	if i < 0 {
		i += len(u.history)
	}
	return i
}

// Recent calls fn for up to n remembered interactions, newest first, and
// stops early when fn returns false. n <= 0 means all.
func (u *User) Recent(n int, fn func(Interaction) bool) {
	if l := len(u.history); n <= 0 || n > l {
		n = l
	}
	for k := 1; k <= n; k++ {
		if !fn(u.Newest(k)) {
			return
		}
	}
}

// Notification is one item sent to a user on a channel at TS (unix ms).
// All items of one answer share its TS.
type Notification struct {
	TS      int64
	Item    ItemID
	Channel string
}

// NotifiedLen bounds the notifications remembered per user.
const NotifiedLen = 256

// AddNotified records a notification; recording the same one twice (a
// replayed event) changes nothing.
func (u *User) AddNotified(n Notification) {
	for _, x := range u.Notified {
		if x == n {
			return
		}
	}
	if len(u.Notified) == NotifiedLen {
		copy(u.Notified, u.Notified[1:])
		u.Notified = u.Notified[:NotifiedLen-1]
	}
	u.Notified = append(u.Notified, n)
}

// Shown is how often an item was shown to a user without a click since.
type Shown struct {
	Item  ItemID
	Times uint16
}

// ShownLen bounds the items whose impressions are remembered per user.
const ShownLen = 32

// AddShown counts an impression of item for the user, forgetting the
// oldest remembered item when full.
func (u *User) AddShown(item ItemID) {
	for i := range u.Shown {
		if u.Shown[i].Item == item {
			if u.Shown[i].Times < 1<<16-1 {
				u.Shown[i].Times++
			}
			return
		}
	}
	if len(u.Shown) == ShownLen {
		copy(u.Shown, u.Shown[1:])
		u.Shown = u.Shown[:ShownLen-1]
	}
	u.Shown = append(u.Shown, Shown{Item: item, Times: 1})
}

// ClearShown forgets the impressions of item (the user engaged with it).
func (u *User) ClearShown(item ItemID) {
	for i := range u.Shown {
		if u.Shown[i].Item == item {
			u.Shown = append(u.Shown[:i], u.Shown[i+1:]...)
			return
		}
	}
}

// TimesShown returns how often item was shown without engagement.
func (u *User) TimesShown(item ItemID) int {
	for _, s := range u.Shown {
		if s.Item == item {
			return int(s.Times)
		}
	}
	return 0
}

// Users holds every known user, indexed by UserID.
type Users struct {
	names      *Names
	users      Pages[User]
	historyLen int
	live       int
	erased     uint32 // users erased so far: a UserID looked up before is valid while it holds
}

// NewUsers returns an empty table that remembers up to historyLen
// interactions per user (older ones are forgotten first).
func NewUsers(historyLen int) *Users {
	if historyLen < 1 {
		historyLen = 1
	}
	return &Users{names: NewNames(), historyLen: historyLen}
}

// Len returns the number of user ids allocated, including erased users.
func (t *Users) Len() int { return t.users.Len() }

// Live returns the number of users currently held.
func (t *Users) Live() int { return t.live }

// Lookup returns the id of an external user id.
func (t *Users) Lookup(id string) (UserID, bool) { return t.names.Lookup(id) }

// User returns the user with the given id; valid until the next write.
func (t *Users) User(id UserID) *User { return t.users.At(id) }

// Ensure returns the id of user name, creating a consenting user if new.
func (t *Users) Ensure(name string) UserID {
	return t.EnsureKey(name, t.names.Key(name))
}

// Hasher returns the hasher of the name index: Key(name) equals
// Hasher().Hash(name), which another goroutine may compute ahead.
func (t *Users) Hasher() StringHasher { return t.names.hasher }

// Key returns the key of user name for EnsureKey and Prefetch.
func (t *Users) Key(name string) Hash128 { return t.names.Key(name) }

// Prefetch prefetches the index slot of key k, so that a lookup soon
// after finds it in cache (see Prefetch).
func (t *Users) Prefetch(k Hash128) { t.names.Prefetch(k) }

// LookupKey is Lookup with the name's key (Key) already computed.
func (t *Users) LookupKey(k Hash128) (UserID, bool) { return t.names.LookupKey(k) }

// PrefetchUser prefetches user id's record, every cache line of it from
// Consent, which applying an event reads first, to the history ring's
// header and head, which PrefetchHistory and applying read next (see
// Prefetch).
//
// The ring's lines are another call's, PrefetchHistory's: their addresses
// are in the record, so prefetching them in the same pass would wait for
// the record's miss before the ring's could start, two misses one after
// the other per event. Prefetching every record of a batch first, then
// every ring, overlaps the misses of the whole batch in each pass.
func (t *Users) PrefetchUser(id UserID) {
	u := t.users.At(id)
	prefetchRange(unsafe.Pointer(&u.Consent), prefetchedUserBytes)
}

// prefetchedUserBytes is how much of a User PrefetchUser prefetches: from
// Consent to the end of head. TestPrefetchUserCoversApply checks that
// every field applying an event reads lies within.
const prefetchedUserBytes = unsafe.Offsetof(User{}.head) + unsafe.Sizeof(User{}.head) - unsafe.Offsetof(User{}.Consent)

// PrefetchHistory prefetches the cache lines of user id's newest
// prefetchedHistory remembered interactions (the co-occurrence window's
// partners), so that applying an event to it soon after finds them in
// cache; call it after PrefetchUser for the same batch. It reads the
// record (where the ring is), which PrefetchUser has brought in by then.
func (t *Users) PrefetchHistory(id UserID) {
	u := t.users.At(id)
	for k, n := 1, min(len(u.history), prefetchedHistory); k <= n; k += historyPerLine {
		Prefetch(unsafe.Pointer(&u.history[u.newestSlot(k)]))
	}
}

// prefetchedHistory is how many of a user's newest interactions
// PrefetchHistory prefetches: a co-occurrence window of 20 distinct items,
// and some repeats.
const prefetchedHistory = 32

// historyPerLine is how many remembered interactions share a 64-byte
// cache line: storedInteraction is 16 bytes.
const historyPerLine = 4

// Erased counts the users erased so far. A UserID found by name stays
// the user's until an erasure: one looked up earlier may be used instead
// of looking the name up again while Erased is unchanged.
func (t *Users) Erased() uint32 { return t.erased }

// EnsureKey is Ensure with the name's key (Key) already computed.
func (t *Users) EnsureKey(name string, k Hash128) UserID {
	id, isNew := t.names.InternKey(name, k)
	if isNew {
		t.users.Append(User{ID: t.names.Name(id), Consent: true})
		t.live++
	}
	return id
}

// Append remembers x for user id, forgetting the oldest interaction once
// the history is full.
func (t *Users) Append(id UserID, x Interaction) {
	u := t.users.At(id)
	u.Events++
	if x.TS > u.LastTS {
		u.LastTS = x.TS
	}
	if len(u.history) < t.historyLen {
		if len(u.history) == cap(u.history) {
			// Grow by doubling but never past historyLen: append's own
			// growth would leave a full history of 200 in 256 slots.
			h := make([]storedInteraction, len(u.history), min(max(2*cap(u.history), 4), t.historyLen))
			copy(h, u.history)
			u.history = h
		}
		u.history = append(u.history, storeInteraction(x))
		return
	}
	u.history[u.head] = storeInteraction(x)
	u.head++
	if u.head == len(u.history) {
		u.head = 0
	}
}

// Erase forgets everything about user name. Its id is never handed out to
// anyone else, so no other structure can attribute old data to a new user.
func (t *Users) Erase(name string) (UserID, bool) {
	id, ok := t.names.Lookup(name)
	if !ok {
		return 0, false
	}
	t.names.Forget(name)
	*t.users.At(id) = User{}
	t.live--
	t.erased++
	return id, true
}
