package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestEventsFromTheFutureAreRejected: an event further ahead of the wall
// clock than MaxFuture is refused by Apply and by the consumer's decoding,
// with a reason that says so, and changes nothing; a negative MaxFuture
// accepts any ts. Cases run in order on one engine per configuration, so
// an accepted event (which caches a bound) comes before each refused one.
func TestEventsFromTheFutureAreRejected(t *testing.T) {
	now := time.Now()
	year2100 := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		maxFuture time.Duration
		ts        time.Time
		ok        bool
	}{
		{0, now, true}, // the default: 1 h
		{0, now.Add(30 * time.Minute), true},
		{0, now.Add(2 * time.Hour), false},
		{0, now.Add(59 * time.Minute), true},
		{0, year2100, false},
		{10 * time.Minute, now.Add(5 * time.Minute), true},
		{10 * time.Minute, now.Add(20 * time.Minute), false},
		{-1, year2100, true},
		{-1, now.Add(1000 * time.Hour), true},
	}
	engines := map[time.Duration]*Engine{}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("max %v, ts %s", tt.maxFuture, tt.ts.Format(time.RFC3339)), func(t *testing.T) {
			e := engines[tt.maxFuture]
			if e == nil {
				e = New(Config{MaxFuture: tt.maxFuture})
				engines[tt.maxFuture] = e
			}
			item := fmt.Sprintf("i%d", i)
			ev := &Event{Type: "view", User: "u", Item: item, TS: tt.ts.UnixMilli()}
			err := e.Apply(ev)
			var m Message
			e.DecodeMessage(&m, []byte(fmt.Sprintf(`{"type":"view","user":"u","item":%q,"ts":%d}`, item, ev.TS)))
			if tt.ok {
				if err != nil || m.Err != nil {
					t.Fatalf("Apply = %v, DecodeMessage = %v: want both accepted", err, m.Err)
				}
				return
			}
			for name, err := range map[string]error{"Apply": err, "DecodeMessage": m.Err} {
				var de *DecodeError
				if !errors.As(err, &de) || de.Reason != ReasonOutOfRange || de.Field != "ts" || !strings.Contains(de.Error(), "ahead of this server's clock") || !errors.Is(err, ErrFromTheFuture) {
					t.Errorf("%s = %v: want an out_of_range error on ts saying it is ahead of the clock", name, err)
				}
			}
			if _, known := e.ItemInfo(item); known {
				t.Errorf("the refused event was applied")
			}
		})
	}
}
