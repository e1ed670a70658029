package node

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
)

type answerLine struct {
	Line          int
	User          string
	Error         string
	Skipped       string
	NextAllowedAt int64  `json:"next_allowed_at"`
	RequestID     string `json:"request_id"`
	Items         []struct{ Item string }
}

func postBatch(t *testing.T, n *Node, lines []string) []answerLine {
	t.Helper()
	resp, err := http.Post("http://"+n.HTTPAddr()+"/v1/recommend/batch", "application/x-ndjson", strings.NewReader(strings.Join(lines, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("batch: %d", resp.StatusCode)
	}
	var out []answerLine
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var a answerLine
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("answer %q: %v", sc.Text(), err)
		}
		out = append(out, a)
	}
	return out
}

func seedShop(t *testing.T, n *Node, users int) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(n.Brokers()...), Balancer: &kafka.Hash{}, BatchTimeout: 5 * time.Millisecond, RequiredAcks: kafka.RequireAll, BatchSize: 1000}
	defer w.Close()
	ctx := context.Background()
	if err := w.WriteMessages(ctx, messages(t, "reco.catalog", catalogEvents())...); err != nil {
		t.Fatal(err)
	}
	var evs []engine.Event
	for u := 0; u < users; u++ {
		evs = append(evs, engine.Event{Type: "view", User: fmt.Sprintf("u%d", u), Item: fmt.Sprintf("tent%d", 1+u%6), TS: 1_700_000_000_000 + int64(u)})
	}
	if err := w.WriteMessages(ctx, messages(t, "reco.events", evs)...); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "shop applied", func() bool { return n.Engine.Version() >= uint64(len(evs)+12) })
}

func TestBatchOfTenThousandUsersInOrder(t *testing.T) {
	n := startNode(t, Config{})
	seedShop(t, n, 10_000)
	var lines []string
	for u := 0; u < 10_000; u++ {
		lines = append(lines, fmt.Sprintf(`{"user":"u%d","slot":"feed","n":3}`, u))
	}
	lines[17] = `{"user":"u17","slot":"teleport"}`
	lines[18] = `not json`
	start := time.Now()
	answers := postBatch(t, n, lines)
	t.Logf("10,000-line batch answered in %v (%.0f users/s)", time.Since(start), 10_000/time.Since(start).Seconds())
	if len(answers) != 10_000 {
		t.Fatalf("%d answers, want 10000", len(answers))
	}
	for i, a := range answers {
		if a.Line != i+1 {
			t.Fatalf("answer %d is for line %d: out of order", i+1, a.Line)
		}
		switch i {
		case 17, 18:
			if a.Error == "" {
				t.Fatalf("bad line %d answered without an error: %+v", i+1, a)
			}
		default:
			if a.Error != "" || a.User != fmt.Sprintf("u%d", i) || len(a.Items) != 3 {
				t.Fatalf("line %d: %+v", i+1, a)
			}
		}
	}
}

func TestNotificationCapsHoldAcrossBatchesAndRestarts(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{DataDir: dir, Engine: engine.Config{NotifyCapPerDay: 3}}
	n := startNode(t, cfg)
	seedShop(t, n, 20)
	w := &kafka.Writer{Addr: kafka.TCP(n.Brokers()...), BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	optOut := engine.Event{Type: "user", User: "u5", Consent: new(bool)}
	if err := w.WriteMessages(context.Background(), messages(t, "reco.events", []engine.Event{optOut})...); err != nil {
		t.Fatal(err)
	}
	w.Close()
	waitFor(t, "opt-out applied", func() bool { u, _ := n.Engine.UserInfo("u5"); return !u.Consent })

	batch := []string{
		`{"user":"u1","slot":"feed","n":2,"channel":"email"}`,
		`{"user":"u5","slot":"feed","n":2,"channel":"email"}`,
		`{"user":"u2","slot":"feed","n":2}`, // not a notification: no caps
	}
	first := postBatch(t, n, batch)
	if len(first[0].Items) != 2 || first[1].Skipped != "no consent" || len(first[1].Items) != 0 {
		t.Fatalf("first batch: %+v", first)
	}
	sent := map[string]bool{}
	for _, it := range first[0].Items {
		sent[it.Item] = true
	}
	second := postBatch(t, n, batch[:1])
	for _, it := range second[0].Items {
		if sent[it.Item] {
			t.Fatalf("%s sent to u1 by email twice within the cap window", it.Item)
		}
		sent[it.Item] = true
	}
	push := postBatch(t, n, []string{`{"user":"u1","slot":"feed","n":2,"channel":"push"}`})
	if len(push[0].Items) == 0 || push[0].NextAllowedAt == 0 {
		t.Fatalf("third answer of the day (push) = %+v: want items and the time the cap frees", push[0])
	}

	// Restart on the same data dir: the caps come back.
	n.Close()
	n = startNode(t, Config{DataDir: dir, Engine: engine.Config{NotifyCapPerDay: 3}})
	capped := postBatch(t, n, batch[:1])
	if capped[0].Skipped != "daily cap" || capped[0].NextAllowedAt <= time.Now().UnixMilli() {
		t.Fatalf("after a restart, a 4th answer: %+v, want skipped by the daily cap with next_allowed_at ahead", capped[0])
	}
	other := postBatch(t, n, []string{`{"user":"u3","slot":"feed","n":6,"channel":"email"}`})
	if len(other[0].Items) == 0 {
		t.Fatalf("another user is not capped: %+v", other[0])
	}
}

// TestBatchStreamsBothWays sends ten lines, waits for their ten answers
// while the request is still open, and only then sends the rest: answers
// must leave before the last request line is even written.
func TestBatchStreamsBothWays(t *testing.T) {
	n := startNode(t, Config{})
	seedShop(t, n, 30)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", "http://"+n.HTTPAddr()+"/v1/recommend/batch", pr)
	respc := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			close(respc)
			return
		}
		respc <- resp
	}()
	for u := 0; u < 10; u++ {
		fmt.Fprintf(pw, `{"user":"u%d","slot":"feed","n":2}`+"\n", u)
	}
	resp := <-respc
	if resp == nil {
		t.FailNow()
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for i := 1; i <= 10; i++ {
		if !sc.Scan() {
			t.Fatalf("answer %d did not arrive while the request was open: %v", i, sc.Err())
		}
		var a answerLine
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil || a.Line != i {
			t.Fatalf("answer %d: %q", i, sc.Text())
		}
	}
	for u := 10; u < 20; u++ {
		fmt.Fprintf(pw, `{"user":"u%d","slot":"feed","n":2}`+"\n", u)
	}
	pw.Close()
	got := 10
	for sc.Scan() {
		got++
	}
	if got != 20 {
		t.Fatalf("%d answers, want 20", got)
	}
}
