package engine

import (
	"fmt"
	"testing"
)

// TestAnswerVersionChangesWithWhatChangesAnswers: every event that can
// change a user's answers must change the version the cache keys them by
// — or a cached answer would outlive the event — and another user's
// events, which change nothing personal, must not.
func TestAnswerVersionChangesWithWhatChangesAnswers(t *testing.T) {
	no := false
	for _, tc := range []struct {
		name    string
		ev      Event
		changes bool
	}{
		{"view", Event{Type: "view", User: "ann", Item: "a"}, true},
		{"purchase", Event{Type: "purchase", User: "ann", Item: "a", Value: 1}, true},
		{"impression", Event{Type: "impression", User: "ann", Item: "a"}, true},
		{"consent withdrawn", Event{Type: TypeUser, User: "ann", Consent: &no}, true},
		{"notified", Event{Type: TypeNotified, User: "ann", Item: "a", Channel: "email"}, true},
		{"erased", Event{Type: TypeUserDelete, User: "ann"}, true},
		{"catalog change", Event{Type: TypeItem, Item: "b", Price: 3}, true},
		{"another user's view", Event{Type: "view", User: "bob", Item: "a"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Config{})
			mustApply(t, e, Event{Type: TypeItem, Item: "a", Price: 2})
			mustApply(t, e, Event{Type: "view", User: "ann", Item: "a"})
			// Users may share a counter (hash seeds are random): "bob"
			// stands for the first name that does not share ann's.
			if tc.ev.User == "bob" {
				for i := 0; e.userVersions.slot(e.users.Key(tc.ev.User)) == e.userVersions.slot(e.users.Key("ann")); i++ {
					tc.ev.User = fmt.Sprintf("bob%d", i)
				}
			}
			before := e.AnswerVersion("ann")
			mustApply(t, e, tc.ev)
			if changed := e.AnswerVersion("ann") != before; changed != tc.changes {
				t.Fatalf("after %+v the version changed: %v, want %v", tc.ev, changed, tc.changes)
			}
		})
	}
}
