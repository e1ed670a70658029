package engine

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// checkEventJSON fails unless ev.AppendJSON writes what json.Marshal
// writes, or fails where it fails.
func checkEventJSON(t *testing.T, ev *Event) {
	t.Helper()
	want, wantErr := json.Marshal(ev)
	got, err := ev.AppendJSON([]byte("prefix"))
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("AppendJSON(%+v) error %v, json.Marshal error %v", ev, err, wantErr)
	}
	if err != nil {
		return
	}
	if !bytes.HasPrefix(got, []byte("prefix")) || !bytes.Equal(got[len("prefix"):], want) {
		t.Fatalf("AppendJSON(%+v) =\n%s\nwant prefix and\n%s", ev, got, want)
	}
}

func TestEventAppendJSONMatchesMarshal(t *testing.T) {
	stock, zero := 7, 0
	yes, no := true, false
	for _, ev := range []*Event{
		{Type: "view"},
		{Type: "view", User: "u1", Item: "i1", TS: 1_700_000_000_000, ID: "e-1"},
		{Type: "purchase", User: "u<1>&", Item: "i\"2\"", Qty: 3, Price: 19.99, Session: "s", Channel: "email", RequestID: "r1"},
		{Type: "rate", User: "u", Item: "i", Value: 4.5, TS: -5},
		{Type: "item", Item: "i9", Title: "Zoë's \u2028 lamp\n", Categories: []string{"home", "home/light"}, Tags: []string{"a", ""},
			Brand: "Acme", Price: 1e21, Cost: 1e-7, Stock: &stock, Active: &no, Attrs: map[string]string{"z": "1", "a": "2", "m": "\xff"}},
		{Type: "item", Item: "i0", Stock: &zero, Active: &yes, Categories: []string{}, Attrs: map[string]string{}},
		{Type: "user", User: "u", Consent: &no},
		{Type: "view", Price: math.Copysign(0, -1), Value: -0.000001},
		{Type: "view", Price: math.NaN()},
		{Type: "view", Cost: math.Inf(-1)},
	} {
		checkEventJSON(t, ev)
	}
}

// FuzzEventJSON compares AppendJSON with json.Marshal on events built from
// arbitrary strings and numbers.
func FuzzEventJSON(f *testing.F) {
	f.Add("view", "u1", "i1", "k", "v", int64(1_700_000_000_000), 2, 9.99, 4.0, 3, uint8(0xff))
	f.Add("item", "<&>", "\xff\u2029", "", "\x00", int64(-1), 0, 1e-9, math.MaxFloat64, -1, uint8(0))
	f.Fuzz(func(t *testing.T, typ, user, item, key, val string, ts int64, qty int, price, value float64, stock int, flags uint8) {
		ev := &Event{Type: typ, User: user, Item: item, TS: ts, Qty: qty, Price: price, Value: value,
			ID: key, Title: val, Cost: price * value}
		if flags&1 != 0 {
			ev.Stock = &stock
		}
		if flags&2 != 0 {
			b := flags&4 != 0
			ev.Active, ev.Consent = &b, &b
		}
		if flags&8 != 0 {
			ev.Categories, ev.Tags = []string{key, val}, []string{user}
		}
		if flags&16 != 0 {
			ev.Attrs = map[string]string{key: val, val: key, user: item}
		}
		checkEventJSON(t, ev)
	})
}

// BenchmarkEventJSON encodes a typical interaction as the producer does,
// against encoding/json: the cost of every event POSTed or replayed.
func BenchmarkEventJSON(b *testing.B) {
	ev := &Event{Type: "purchase", User: "u12345", Item: "i678", TS: 1_700_000_000_000, ID: "e-98765", Qty: 1, Price: 19.99}
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf, _ = ev.AppendJSON(buf[:0])
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}
