package engine

import (
	"bytes"
	"slices"
	"testing"

	"reco/features"
)

// Decode lets an event's user, item and id share the message's bytes. The
// engine must copy the names it keeps: overwriting the messages after they
// were applied — as a reused buffer would — must change nothing it holds.
func TestAppliedMessagesKeepNoBorrowedBytes(t *testing.T) {
	values := [][]byte{
		[]byte(`{"type":"view","user":"alice","item":"lamp","id":"e1","ts":1700000000000}`),
		[]byte(`{"type":"cart","user":"bob","item":"desk","id":"e2","ts":1700000001000}`),
		[]byte(`{"type":"purchase","user":"alice","item":"desk","id":"e3","ts":1700000002000}`),
	}
	e := New(Config{})
	msgs := make([]Message, len(values))
	batch := make([]*Message, len(values))
	for i, v := range values {
		msgs[i].Pos, msgs[i].Offset = Position{"reco.events", 0}, int64(i)
		msgs[i].Decode(v)
		if msgs[i].Err != nil {
			t.Fatalf("decoding %s: %v", v, msgs[i].Err)
		}
		batch[i] = &msgs[i]
	}
	e.ApplyMessages(batch)
	for _, v := range values {
		copy(v, bytes.Repeat([]byte("x"), len(v)))
	}
	for _, tc := range []struct {
		user   string
		events int64
	}{{"alice", 2}, {"bob", 1}} {
		info, ok := e.UserInfo(tc.user)
		if !ok {
			t.Fatalf("user %q not found after its messages' bytes were overwritten", tc.user)
		}
		if info.User != tc.user || info.Events != tc.events {
			t.Errorf("user %q: got id %q with %d events, want %d events", tc.user, info.User, info.Events, tc.events)
		}
	}
	for _, item := range []string{"lamp", "desk"} {
		info, ok := e.ItemInfo(item)
		if !ok || info.Item != item {
			t.Errorf("item %q: found %v with id %q", item, ok, info.Item)
		}
	}
	// The ids stay remembered: the same events again are duplicates.
	before := e.Stats().Duplicates.Load()
	for i, v := range [][]byte{
		[]byte(`{"type":"view","user":"alice","item":"lamp","id":"e1","ts":1700000000000}`),
		[]byte(`{"type":"cart","user":"bob","item":"desk","id":"e2","ts":1700000001000}`),
	} {
		if err := e.ApplyMessage(Position{"reco.events", 0}, int64(10+i), v); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.Stats().Duplicates.Load() - before; got != 2 {
		t.Errorf("re-sent events counted as %d duplicates, want 2", got)
	}
}

// DecodeMessage hashes names for the indexes of the engine at the time; a
// message applied after the indexes were replaced (a snapshot loaded) is
// hashed again, not looked up under keys of the old indexes.
func TestMessagesHashedForOtherIndexesAreHashedAgain(t *testing.T) {
	older, e := New(Config{}), New(Config{})
	mustApply(t, e, Event{Type: "view", User: "alice", Item: "lamp", TS: 1_700_000_000_000})
	var m Message
	older.DecodeMessage(&m, []byte(`{"type":"cart","user":"alice","item":"lamp","ts":1700000001000}`))
	if m.Err != nil {
		t.Fatal(m.Err)
	}
	e.ApplyMessages([]*Message{&m})
	info, ok := e.UserInfo("alice")
	if !ok || info.Events != 2 {
		t.Fatalf("alice: found %v with %d events, want her 2 events on one user", ok, info.Events)
	}
	if _, users := e.Size(); users != 1 {
		t.Fatalf("%d users, want 1", users)
	}
}

// ApplyMessages looks a batch's users and items up while warming it and
// applies with the ids it found. A user erased between the two — by an
// earlier message of the same batch — must not be written to under the
// id of the erased record: her later event starts a new user of the same
// name, with that event alone in her history. The others' events, views
// and an impression, land on them.
func TestBatchAppliedAfterAnErasureInIt(t *testing.T) {
	e := New(Config{})
	mustApply(t, e, Event{Type: "view", User: "alice", Item: "lamp", TS: 1_700_000_000_000})
	mustApply(t, e, Event{Type: "view", User: "bob", Item: "lamp", TS: 1_700_000_000_000})
	values := [][]byte{
		[]byte(`{"type":"view","user":"alice","item":"desk","ts":1700000001000}`),
		[]byte(`{"type":"user_delete","user":"alice","ts":1700000002000}`),
		[]byte(`{"type":"purchase","user":"alice","item":"chair","ts":1700000003000}`),
		[]byte(`{"type":"view","user":"bob","item":"desk","ts":1700000004000}`),
		[]byte(`{"type":"impression","user":"bob","item":"lamp","ts":1700000005000}`),
	}
	msgs := make([]Message, len(values))
	batch := make([]*Message, len(values))
	for i, v := range values {
		msgs[i].Pos, msgs[i].Offset = Position{"reco.events", 0}, int64(i)
		e.DecodeMessage(&msgs[i], v)
		if msgs[i].Err != nil {
			t.Fatalf("decoding %s: %v", v, msgs[i].Err)
		}
		batch[i] = &msgs[i]
	}
	e.ApplyMessages(batch)
	for _, tc := range []struct {
		user   string
		events int64
		items  []string
	}{
		{"alice", 1, []string{"chair"}},
		{"bob", 2, []string{"desk", "lamp"}},
	} {
		info, ok := e.UserInfo(tc.user)
		if !ok {
			t.Fatalf("user %q not found", tc.user)
		}
		uid, _ := e.users.Lookup(tc.user)
		var items []string // newest first
		e.users.User(uid).Recent(0, func(x features.Interaction) bool {
			items = append(items, e.catalog.Item(x.Item).ID)
			return true
		})
		if info.Events != tc.events || !slices.Equal(items, tc.items) {
			t.Errorf("user %q: %d events, history %v; want %d, %v", tc.user, info.Events, items, tc.events, tc.items)
		}
	}
	// The impression, applied with bob's id from the warming, is his.
	bob, _ := e.users.Lookup("bob")
	lamp, _ := e.catalog.Lookup("lamp")
	if shown := e.users.User(bob).Shown; len(shown) != 1 || shown[0].Item != lamp {
		t.Errorf("bob was shown %v, want the lamp once", shown)
	}
}
