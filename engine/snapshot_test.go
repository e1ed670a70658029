package engine

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"reco/features"
)

func answers(t *testing.T, e *Engine) []Response {
	t.Helper()
	e.RefreshNeighbors()
	var out []Response
	for _, req := range []Request{
		{Slot: SlotFeed, User: "u3", N: 10}, {Slot: SlotSimilar, Item: "cam2", N: 10},
		{Slot: SlotCrossSell, Item: "cam4", N: 5}, {Slot: SlotUpsell, Item: "bag1", N: 5},
		{Slot: SlotBundle, Item: "cam5", N: 5}, {Slot: SlotFeed, User: "nobody", N: 5},
	} {
		resp, err := e.Recommend(&req)
		if err != nil {
			t.Fatal(err)
		}
		resp.RequestID = ""
		out = append(out, *resp)
	}
	return out
}

// roundTrip writes a snapshot of e and reads it back.
func roundTrip(t *testing.T, e *Engine) *Engine {
	t.Helper()
	var buf bytes.Buffer
	if err := e.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := ReadSnapshot(bytes.NewReader(buf.Bytes()), Config{})
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

func TestSnapshotRoundTrip(t *testing.T) {
	e := plantedShop(t)
	e.Apply(&Event{Type: TypeUserDelete, User: "u7"})
	e.Apply(&Event{Type: TypeUser, User: "u8", Consent: boolp(false)})
	e.ApplyMessage(Position{"reco.events", 2}, 41, []byte(`{"type":"view","user":"u1","item":"cam1","id":"m-41"}`))
	e.ApplyMessage(Position{"reco.events", 3}, 7, []byte(`not json`))
	loaded := roundTrip(t, e)
	if got, want := answers(t, loaded), answers(t, e); !reflect.DeepEqual(got, want) {
		t.Fatalf("answers differ after a snapshot round trip:\n got %+v\nwant %+v", got, want)
	}
	for _, id := range []string{"cam1", "water", "bag9"} {
		a, _ := e.ItemInfo(id)
		b, _ := loaded.ItemInfo(id)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("item %s: %+v, want %+v", id, b, a)
		}
	}
	if _, ok := loaded.UserInfo("u7"); ok {
		t.Fatal("an erased user came back from the snapshot")
	}
	if u, _ := loaded.UserInfo("u8"); u.Consent {
		t.Fatal("consent:false was lost")
	}
	off := loaded.Offsets()
	if off[Position{"reco.events", 2}] != 42 || off[Position{"reco.events", 3}] != 8 {
		t.Fatalf("offsets %v, want p2→42 and p3→8 (a rejected message still advances)", off)
	}
	// The dedup window survives: the same id is not applied again.
	before, _ := loaded.ItemInfo("cam1")
	loaded.ApplyMessage(Position{"reco.events", 2}, 42, []byte(`{"type":"view","user":"u1","item":"cam1","id":"m-41"}`))
	after, _ := loaded.ItemInfo("cam1")
	if after.Views != before.Views {
		t.Fatal("a duplicate id was applied after restoring the snapshot")
	}
}

func TestSnapshotDamageIsDetected(t *testing.T) {
	e := testShop(t)
	var buf bytes.Buffer
	if err := e.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	tests := map[string][]byte{
		"truncated":   good[:len(good)-10],
		"bit flipped": flipped,
		"empty":       nil,
		"not ours":    []byte("PK\x03\x04 some zip file with enough bytes"),
	}
	for name, b := range tests {
		if _, err := ReadSnapshot(bytes.NewReader(b), Config{}); err == nil {
			t.Errorf("%s snapshot loaded without error", name)
		}
	}
}

func TestLoadSnapshotFallsBackToThePreviousOne(t *testing.T) {
	dir := t.TempDir()
	e := testShop(t)
	first, err := e.SaveSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	e.Apply(&Event{Type: "view", User: "late", Item: "s3", TS: 1_750_000_000_000})
	if _, err := e.SaveSnapshot(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := e.SaveSnapshot(dir); err != nil { // a third: only two are kept
		t.Fatal(err)
	}
	if files := snapshotFiles(dir); len(files) != 2 || files[0] == first {
		t.Fatalf("kept %v, want the two newest", files)
	}
	newest := snapshotFiles(dir)[1]
	b, _ := os.ReadFile(newest)
	os.WriteFile(newest, b[:len(b)/2], 0o644) // torn write
	loaded, file, skipped, err := LoadSnapshot(dir, Config{})
	if err != nil || loaded == nil {
		t.Fatalf("LoadSnapshot: %v", err)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0].Error(), "truncated") || filepath.Base(file) == filepath.Base(newest) {
		t.Fatalf("loaded %s, skipped %v: want the previous snapshot after reporting the torn one", file, skipped)
	}
	if u, ok := loaded.UserInfo("late"); !ok || u.HistoryLength != 1 {
		t.Fatalf("previous snapshot lacks the late view: %+v", u)
	}
	none, _, _, err := LoadSnapshot(t.TempDir(), Config{})
	if none != nil || err != nil {
		t.Fatal("an empty dir must mean: replay the log")
	}
}

// TestSnapshotWhileApplying writes snapshots while another goroutine
// applies events that change what a snapshot holds in place (item
// counters and descriptions, users' shown items, popularity). The state is
// encoded after the lock is released, so the copy taken under it must
// share nothing the applier writes (go test -race), and each snapshot must
// be exactly the state at its offset.
func TestSnapshotWhileApplying(t *testing.T) {
	const msgs = 6000
	e := New(Config{})
	pos := Position{"reco.events", 0}
	msg := func(i int) []byte {
		item, user := fmt.Sprintf("i%d", i%4), fmt.Sprintf("u%d", i%20)
		switch i % 3 {
		case 0:
			return fmt.Appendf(nil, `{"type":"view","user":%q,"item":%q,"ts":%d}`, user, item, 1000+i)
		case 1:
			return fmt.Appendf(nil, `{"type":"impression","user":%q,"item":%q,"ts":%d}`, user, item, 1000+i)
		}
		return fmt.Appendf(nil, `{"type":"item","item":%q,"price":%d,"attrs":{"v":"%d"},"categories":["c%d"],"ts":%d}`, item, 1+i, i, i%5, 1000+i)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < msgs; i++ {
			if err := e.ApplyMessage(pos, int64(i), msg(i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for snaps := 0; ; snaps++ {
		loaded := roundTrip(t, e)
		applied := int(loaded.Offsets()[pos])
		var views, impressions int64
		for k := 0; k < 4; k++ {
			if it, ok := loaded.ItemInfo(fmt.Sprintf("i%d", k)); ok {
				views += it.Views
				impressions += it.Impressions
			}
		}
		if want := int64((applied + 2) / 3); views != want || impressions != int64((applied+1)/3) {
			t.Fatalf("snapshot at offset %d: %d views and %d impressions, want %d and %d", applied, views, impressions, want, (applied+1)/3)
		}
		if uint64(applied) != loaded.Version() {
			t.Fatalf("snapshot at offset %d holds %d events", applied, loaded.Version())
		}
		select {
		case <-done:
			if t.Failed() || (applied == msgs && snaps > 1) {
				return
			}
		default:
		}
	}
}

// TestRestoreAppliesTheConfiguredHistoryLength: a restart is how an
// operator changes --history-len, so a restored engine remembers as many
// interactions per user as it is configured for, not as many as the
// engine that wrote the snapshot: longer histories keep their newest
// part, shorter ones grow, and the order stays newest first.
func TestRestoreAppliesTheConfiguredHistoryLength(t *testing.T) {
	tests := []struct{ saved, restored int }{
		{200, 10}, {10, 200}, {30, 30}, {20, 0}, // 0: the default, 200
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d to %d", tt.saved, tt.restored), func(t *testing.T) {
			e := New(Config{HistoryLen: tt.saved})
			var applied []string
			view := func(e *Engine, item string) {
				mustApply(t, e, Event{Type: "view", User: "u", Item: item, TS: 1_700_000_000_000 + int64(len(applied))})
				applied = append(applied, item)
			}
			for i := range 50 {
				view(e, fmt.Sprint("a", i))
			}
			dir := t.TempDir()
			if _, err := e.SaveSnapshot(dir); err != nil {
				t.Fatal(err)
			}
			r, _, _, err := LoadSnapshot(dir, Config{HistoryLen: tt.restored})
			if err != nil {
				t.Fatal(err)
			}
			limit := r.cfg.HistoryLen
			check := func(when string, kept int) {
				t.Helper()
				uid, _ := r.users.Lookup("u")
				var got []string
				r.users.User(uid).Recent(0, func(x features.Interaction) bool {
					got = append(got, r.catalog.Item(x.Item).ID)
					return true
				})
				var want []string
				for i := len(applied) - 1; i >= len(applied)-kept; i-- {
					want = append(want, applied[i])
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s: history (newest first) %v, want %v", when, got, want)
				}
			}
			check("restored", min(50, tt.saved, limit))
			for i := range 250 {
				view(r, fmt.Sprint("b", i))
			}
			check("250 events later", limit)
		})
	}
}

// TestRestoreAppliesTheConfiguredMaxRow: like the history length, the
// bound on co-occurrence partners per item comes from the restoring
// engine's configuration (a new default reaches a shop at its next
// restart), and a row saved longer keeps its strongest half.
func TestRestoreAppliesTheConfiguredMaxRow(t *testing.T) {
	e := New(Config{CoOccurrenceMaxRow: 100})
	for i := range 60 { // 60 users pair the hub with an item of their own
		user := fmt.Sprint("u", i)
		mustApply(t, e, Event{Type: "view", User: user, Item: "hub", TS: 1_700_000_000_000 + int64(2*i)})
		mustApply(t, e, Event{Type: "view", User: user, Item: fmt.Sprint("x", i), TS: 1_700_000_000_001 + int64(2*i)})
	}
	dir := t.TempDir()
	if _, err := e.SaveSnapshot(dir); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ maxRow, want int }{{100, 60}, {16, 8}} {
		r, _, _, err := LoadSnapshot(dir, Config{CoOccurrenceMaxRow: tt.maxRow})
		if err != nil {
			t.Fatal(err)
		}
		hub, _ := r.catalog.Lookup("hub")
		if got := r.cooc.Partners(hub); got != tt.want {
			t.Errorf("restored with CoOccurrenceMaxRow %d: the hub has %d partners, want %d", tt.maxRow, got, tt.want)
		}
	}
}
