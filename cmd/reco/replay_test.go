package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
	"reco/engine/broker"
)

// TestReplayProducesEveryValidLine replays a file with valid, blank and
// invalid lines into an in-process broker and reads the topic back: every
// valid event arrives once, keyed by its user, with a time when its line
// had none, and nothing else arrives — with the default batching, and
// with one message a batch and one batch in flight at a time.
func TestReplayProducesEveryValidLine(t *testing.T) {
	for _, tt := range []struct {
		name  string
		flags []string
	}{
		{"defaults", nil},
		{"one batch at a time", []string{"--batch", "1", "--in-flight", "0", "--linger", "0"}},
	} {
		t.Run(tt.name, func(t *testing.T) { testReplay(t, tt.flags) })
	}
}

func testReplay(t *testing.T, flags []string) {
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Topics: []string{"reco.events"}, Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	lines := []string{
		`{"type":"view","user":"u1","item":"i1","ts":1700000000000,"id":"e1"}`,
		``,
		`{"type":"purchase","user":"u2","item":"i2","ts":1700000000001,"price":9.5,"qty":2}`,
		`not json`,
		`{"type":"view","user":"u3","item":"i3"}`,
		`{ "item": "i4", "type": "cart", "user": "u<4>" ,"ts":1700000000002}`,
		"\t" + `{"type":"view","user":"u5","item":"i5","ts":0 }` + "  \r",
	}
	path := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	before := time.Now().UnixMilli()
	if err := runReplay(ctx, append(append([]string{"--brokers", b.Addr(), "--topic", "reco.events"}, flags...), path)); err != nil {
		t.Fatal(err)
	}

	var got []string
	for p := 0; p < 2; p++ {
		conn, err := kafka.DialLeader(ctx, "tcp", b.Addr(), "reco.events", p)
		if err != nil {
			t.Fatal(err)
		}
		end, err := conn.ReadLastOffset()
		if err != nil {
			t.Fatal(err)
		}
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		batch := conn.ReadBatch(1, 1<<20)
		for n := int64(0); n < end; n++ {
			m, err := batch.ReadMessage()
			if err != nil {
				t.Fatalf("partition %d, message %d of %d: %v", p, n, end, err)
			}
			ev, err := engine.DecodeEvent(m.Value)
			if err != nil {
				t.Fatalf("partition %d offset %d: %s: %v", p, m.Offset, m.Value, err)
			}
			if string(m.Key) != ev.User {
				t.Errorf("message %s keyed %q, want the user", m.Value, m.Key)
			}
			if ev.User == "u3" || ev.User == "u5" {
				if ev.TS < before || ev.TS > time.Now().UnixMilli() {
					t.Errorf("event without a time produced with ts %d, want the replay's clock", ev.TS)
				}
				ev.TS = 0
			}
			canonical, _ := ev.AppendJSON(nil)
			got = append(got, string(canonical))
		}
		batch.Close()
		conn.Close()
	}
	want := []string{
		`{"type":"view","user":"u1","item":"i1","ts":1700000000000,"id":"e1"}`,
		`{"type":"purchase","user":"u2","item":"i2","ts":1700000000001,"qty":2,"price":9.5}`,
		`{"type":"view","user":"u3","item":"i3"}`,
		`{"type":"cart","user":"u\u003c4\u003e","item":"i4","ts":1700000000002}`,
		`{"type":"view","user":"u5","item":"i5"}`,
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("topic holds\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestStampedLine(t *testing.T) {
	now := time.UnixMilli(1700000000123)
	tests := []struct {
		line   string
		wantTS int64
	}{
		{`{"type":"view","user":"u1","item":"i1","ts":1700000000000}`, 1700000000000},
		{`{"type":"view","user":"u1","item":"i1"}`, 1700000000123},
		{`{"type":"view","user":"u1","item":"i1" }`, 1700000000123},
		{`{"type":"view","ts":0,"user":"u1","item":"i1"}`, 1700000000123},
		{`{"type":"view","ts":null,"user":"u1","item":"i1","id":"a \"ts\" b"}`, 1700000000123},
	}
	for _, tt := range tests {
		ev, err := engine.DecodeEvent([]byte(tt.line))
		if err != nil {
			t.Fatalf("%s: %v", tt.line, err)
		}
		prefix := []byte("earlier lines")
		v := appendStampedLine(prefix, []byte(tt.line), ev.TS, now)
		if string(v[:len(prefix)]) != "earlier lines" {
			t.Fatalf("%s: the bytes before it became %q", tt.line, v[:len(prefix)])
		}
		v = v[len(prefix):]
		got, err := engine.DecodeEvent(v)
		if err != nil {
			t.Fatalf("%s became %s: %v", tt.line, v, err)
		}
		if got.TS != tt.wantTS || got.User != "u1" || got.Item != "i1" {
			t.Errorf("%s became %s: user %q, item %q, ts %d; want u1, i1, %d", tt.line, v, got.User, got.Item, got.TS, tt.wantTS)
		}
	}
}
