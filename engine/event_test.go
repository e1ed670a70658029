package engine

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeEvent(t *testing.T) {
	tests := []struct {
		name   string
		msg    string
		reason string // "" = valid
		field  string
	}{
		{"view", `{"type":"view","user":"u1","item":"i9","ts":1732270000000}`, "", ""},
		{"rate", `{"type":"rate","user":"u1","item":"i9","value":4.5}`, "", ""},
		{"unknown fields ignored", `{"type":"click","user":"u1","item":"i9","x":{"y":[1,2]}}`, "", ""},
		{"catalog", `{"type":"item","item":"i9","title":"Trail shoe","categories":["shoes","shoes/running"],"price":89,"cost":51,"stock":14,"active":true}`, "", ""},
		{"item delete", `{"type":"item_delete","item":"i9"}`, "", ""},
		{"user consent", `{"type":"user","user":"u1","consent":false}`, "", ""},
		{"user delete", `{"type":"user_delete","user":"u1"}`, "", ""},
		{"not json", `hello`, ReasonInvalidJSON, ""},
		{"truncated", `{"type":"view","user":"u1"`, ReasonInvalidJSON, ""},
		{"array", `[1,2]`, ReasonInvalidJSON, ""},
		{"wrong type of ts", `{"type":"view","user":"u1","item":"i9","ts":"yesterday"}`, ReasonInvalidJSON, "ts"},
		{"missing type", `{"user":"u1","item":"i9"}`, ReasonMissing, "type"},
		{"unknown type", `{"type":"teleport","user":"u1","item":"i9"}`, ReasonUnknownType, "type"},
		{"missing user", `{"type":"view","item":"i9"}`, ReasonMissing, "user"},
		{"missing item", `{"type":"purchase","user":"u1"}`, ReasonMissing, "item"},
		{"catalog without item", `{"type":"item","title":"x"}`, ReasonMissing, "item"},
		{"negative price", `{"type":"item","item":"i9","price":-1}`, ReasonOutOfRange, "price"},
		{"huge price", `{"type":"item","item":"i9","price":1e300}`, ReasonOutOfRange, "price"},
		{"negative stock", `{"type":"item","item":"i9","stock":-3}`, ReasonOutOfRange, "stock"},
		{"rating missing", `{"type":"rate","user":"u1","item":"i9"}`, ReasonOutOfRange, "value"},
		{"rating too high", `{"type":"rate","user":"u1","item":"i9","value":11}`, ReasonOutOfRange, "value"},
		{"ts in microseconds", `{"type":"view","user":"u1","item":"i9","ts":1732270000000000000}`, ReasonOutOfRange, "ts"},
		{"negative qty", `{"type":"cart","user":"u1","item":"i9","qty":-1}`, ReasonOutOfRange, "qty"},
		{"control char in id", "{\"type\":\"view\",\"user\":\"u\\u0001\",\"item\":\"i9\"}", ReasonOutOfRange, "user"},
		{"long id", `{"type":"view","user":"` + strings.Repeat("u", 300) + `","item":"i9"}`, ReasonOutOfRange, "user"},
		{"empty category", `{"type":"item","item":"i9","categories":[""]}`, ReasonOutOfRange, "categories"},
		{"invalid utf8", "{\"type\":\"view\",\"user\":\"\xff\",\"item\":\"i9\"}", ReasonInvalidUTF8, ""},
		{"too large", `{"type":"item","item":"i9","title":"` + strings.Repeat("a", MaxEventBytes) + `"}`, ReasonTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := DecodeEvent([]byte(tt.msg))
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("DecodeEvent(%s) = %v, want valid", tt.msg, err)
				}
				if ev.Type == "" {
					t.Fatal("decoded event has no type")
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("DecodeEvent(%.80s) = %v, want a DecodeError with reason %s", tt.msg, err, tt.reason)
			}
			if de.Reason != tt.reason || de.Field != tt.field {
				t.Fatalf("DecodeEvent(%.80s): reason %q field %q (%v), want reason %q field %q", tt.msg, de.Reason, de.Field, err, tt.reason, tt.field)
			}
		})
	}
}

func TestEventKeyAndTopic(t *testing.T) {
	ev := &Event{Type: "view", User: "u1", Item: "i1"}
	if ev.IsCatalog() || ev.Key() != "u1" {
		t.Fatalf("interaction: catalog=%v key=%q, want false u1", ev.IsCatalog(), ev.Key())
	}
	ev = &Event{Type: TypeItem, Item: "i1"}
	if !ev.IsCatalog() || ev.Key() != "i1" {
		t.Fatalf("item: catalog=%v key=%q, want true i1", ev.IsCatalog(), ev.Key())
	}
}

// FuzzDecodeEvent checks that no input panics the decoder, and that every
// accepted event is valid and survives an encode/decode round trip.
func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		`{"type":"view","user":"u1","item":"i9","ts":1732270000000}`,
		`{"type":"rate","user":"u1","item":"i9","value":4.5}`,
		`{"type":"item","item":"i9","title":"Trail","categories":["a","a/b"],"price":89,"stock":1,"attrs":{"c":"r"}}`,
		`{"type":"user","user":"u1","consent":false}`,
		`{"type":"user_delete","user":"u1"}`,
		`{"type":"purchase","user":"u1","item":"i9","qty":2,"price":1.5,"id":"e-1"}`,
		`{}`, `[]`, `null`, `{"type":1}`,
		// Decodes, and Apply refuses it: 2033 is beyond MaxFuture.
		`{"type":"view","user":"u1","item":"i9","ts":2000000000000}`,
	} {
		f.Add([]byte(s))
	}
	// One engine for all inputs: a fresh one per input would spend the
	// fuzzing time allocating indexes.
	e := New(Config{DedupWindow: 16})
	f.Fuzz(func(t *testing.T, msg []byte) {
		ev, err := DecodeEvent(msg)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || de.Reason == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		if err := ev.validate(); err != nil {
			t.Fatalf("accepted event fails validation: %v", err)
		}
		// Apply must not panic on anything the decoder accepts, and may
		// refuse it only for what the decoder cannot judge: a timestamp
		// too far ahead of this server's clock (CheckTimestamp).
		if err := e.Apply(ev); err != nil && !errors.Is(err, ErrFromTheFuture) {
			t.Fatalf("Apply of a decoded event: %v", err)
		}
	})
}

// FuzzDecodeFlatMatchesJSON: whenever the fast decoder accepts a message,
// encoding/json must accept it too and decode the very same event.
func FuzzDecodeFlatMatchesJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"view","user":"u1","item":"i9","ts":1732270000000}`,
		`{"type":"purchase","user":"u1","item":"i9","qty":2,"price":1.5e1,"id":"e-1","request_id":"r~feed~a"}`,
		` { "type" : "rate" , "user":"u","item":"i","value":4.5 } `,
		`{"type":"view","user":"u1","item":"i9","ts":01}`, `{"ts":1.0}`, `{"Type":"view"}`,
		`{"type":"view","user":"\u00e9"}`, `{"price":-0.0e-0}`, `{}`, `{"qty":9999999999999999999}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		if !utf8.Valid(msg) {
			return // rejected before either decoder runs
		}
		var fast Event
		if !decodeFlat(msg, &fast, false) {
			return
		}
		var slow Event
		if err := json.Unmarshal(msg, &slow); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json rejects it: %v", msg, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: fast %+v, encoding/json %+v", msg, fast, slow)
		}
		// Borrowing the message's bytes (the consumer's way) decodes the same.
		var borrowed Event
		if !decodeFlat(msg, &borrowed, true) || !reflect.DeepEqual(borrowed, slow) {
			t.Fatalf("%q: borrowing %+v, encoding/json %+v", msg, borrowed, slow)
		}
	})
}

// TestDecodeFlatMatchesJSONOnGeneratedMessages assembles 200,000 messages
// from the pieces the fast path handles and a few it must refuse, and
// checks it against encoding/json on each.
func TestDecodeFlatMatchesJSONOnGeneratedMessages(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	keys := []string{"type", "user", "item", "id", "session", "channel", "request_id", "title", "brand",
		"ts", "qty", "price", "value", "cost", "Type", "stock", "x", "categories"}
	values := []string{`"view"`, `"u1"`, `""`, `"é~x"`, `"a\"b"`, `0`, `-0`, `01`, `12`, `-7`, `1.5`, `1e3`, `1E+2`,
		`-0.0e-0`, `9223372036854775807`, `9223372036854775808`, `1.`, `.5`, `true`, `null`, `[]`, `{"a":1}`, `"\u0041"`}
	ws := []string{"", " ", "\n", "\t "}
	accepted := 0
	for n := 0; n < 200_000; n++ {
		var b strings.Builder
		b.WriteString(ws[rng.IntN(len(ws))] + "{")
		for k := rng.IntN(5); k > 0; k-- {
			b.WriteString(ws[rng.IntN(len(ws))] + `"` + keys[rng.IntN(len(keys))] + `"` + ws[rng.IntN(len(ws))] + ":" +
				ws[rng.IntN(len(ws))] + values[rng.IntN(len(values))])
			if k > 1 {
				b.WriteString(",")
			}
		}
		b.WriteString("}" + []string{"", " ", "x", "}"}[rng.IntN(4)])
		msg := []byte(b.String())
		var fast Event
		if !decodeFlat(msg, &fast, false) {
			continue
		}
		accepted++
		var slow Event
		if err := json.Unmarshal(msg, &slow); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json rejects it: %v", msg, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: fast %+v, encoding/json %+v", msg, fast, slow)
		}
	}
	if accepted < 10_000 {
		t.Fatalf("the fast path took only %d messages: the test does not exercise it", accepted)
	}
}

// TestParseIntMatchesStrconv: the decoder's integer parser must agree
// with strconv.ParseInt on every token flatNumber can return.
func TestParseIntMatchesStrconv(t *testing.T) {
	for _, tok := range []string{
		"0", "-0", "7", "-7", "1700000000000", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809", "18446744073709551615", "99999999999999999999",
		"1.5", "-1.0", "1e3", "1E+3", "", "-",
	} {
		want, err := strconv.ParseInt(tok, 10, 64)
		got, ok := parseInt([]byte(tok))
		if ok != (err == nil) || (ok && got != want) {
			t.Errorf("parseInt(%q) = %d, %v; strconv: %d, %v", tok, got, ok, want, err)
		}
	}
}

// hasControlByRunes is hasControl's definition over runes, as it was
// written before the byte loop.
func hasControlByRunes(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0
}

func TestHasControl(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"", false},
		{"user-42", false},
		{"tab\there", true},
		{"nul\x00", true},
		{"del\x7f", true},
		{"\x1f", true},
		{"space is fine", false},
		{"Grüße, 東京", false},
		{"next line \u0085 is C1, not ASCII", false},
		{"invalid \xff\xfe utf-8", false},
		{"invalid \xc3 then \x01", true},
	} {
		if got := hasControl(tt.s); got != tt.want || got != hasControlByRunes(tt.s) {
			t.Errorf("hasControl(%q) = %v, want %v (by runes %v)", tt.s, got, tt.want, hasControlByRunes(tt.s))
		}
	}
}

func FuzzHasControl(f *testing.F) {
	f.Add("user-1")
	f.Add("a\x00b")
	f.Add("\xc3\x01")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasControl(s), hasControlByRunes(s); got != want {
			t.Fatalf("hasControl(%q) = %v, by runes %v", s, got, want)
		}
	})
}

// BenchmarkMessageDecode decodes and validates one interaction as the
// consumer does with every message (and `reco replay` with every line).
func BenchmarkMessageDecode(b *testing.B) {
	line := []byte(`{"type":"view","user":"u32449","item":"i1","id":"g-dnck4y02irhw-0","session":"s-8812"}`)
	var m Message
	for b.Loop() {
		m.Decode(line)
		if m.Err != nil {
			b.Fatal(m.Err)
		}
	}
}
