package stream

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine/broker"
	"reco/engine/metrics"
)

// groupTestWriter starts a Kafka-protocol broker with topic on loopback
// and returns a groupWriter on it whose sending goroutine is not started,
// so that a test decides when calls are sent; start it with go g.run().
func groupTestWriter(t *testing.T, topic string) (*groupWriter, string) {
	t.Helper()
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Topics: []string{topic}, Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	p := NewProducer(ProducerConfig{Brokers: []string{b.Addr()}, EventsTopic: topic, CatalogTopic: topic})
	p.group.close() // its own goroutine; the test runs another on the same writer
	t.Cleanup(func() { p.w.Close() })
	reg := metrics.NewRegistry()
	g := &groupWriter{w: p.w, wake: make(chan struct{}, 1), stopped: make(chan struct{}),
		sends: reg.Counter("sends", "", ""), messages: reg.Counter("messages", "", "")}
	return g, b.Addr()
}

// readValues reads n messages of topic from the start and returns their
// values, sorted.
func readValues(t *testing.T, addr, topic string, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{addr}, GroupID: "check", GroupTopics: []string{topic},
		StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	var got []string
	for len(got) < n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("after %d of %d messages: %v", len(got), n, err)
		}
		got = append(got, string(m.Value))
	}
	sort.Strings(got)
	return got
}

// TestGroupWriterSendsWaitingCallsTogether: calls that arrive while a
// send is under way (here: before the sender runs at all) wait together
// and go out in one send; every call returns once the broker has its
// messages, and every message arrives once.
func TestGroupWriterSendsWaitingCallsTogether(t *testing.T) {
	g, addr := groupTestWriter(t, "t")
	const calls = 12
	errs := make(chan error, calls)
	var want []string
	for i := 0; i < calls; i++ {
		v := fmt.Sprintf("call%02d", i)
		want = append(want, v+"a", v+"b")
		msgs := []kafka.Message{{Topic: "t", Key: []byte(v), Value: []byte(v + "a")}, {Topic: "t", Key: []byte(v), Value: []byte(v + "b")}}
		go func() { errs <- g.write(context.Background(), msgs) }()
	}
	for waiting := 0; waiting < calls; { // until every call has joined the group
		time.Sleep(time.Millisecond)
		g.mu.Lock()
		if g.next != nil {
			waiting = len(g.next.ends)
		}
		g.mu.Unlock()
	}
	go g.run()
	for i := 0; i < calls; i++ {
		if err := <-errs; err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	g.close()
	if sends, msgs := g.sends.Load(), g.messages.Load(); sends != 1 || msgs != 2*calls {
		t.Errorf("%d calls of 2 messages went out in %d sends of %d messages, want 1 of %d", calls, sends, msgs, 2*calls)
	}
	sort.Strings(want)
	if got := readValues(t, addr, "t", len(want)); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("topic holds %v\nwant %v", got, want)
	}
}

// TestGroupWriterFailsOnlyTheBadCall: kafka-go refuses a whole write for
// one message larger than a batch may be, without saying whose it is. In
// a group, only the call with that message may fail; the others' messages
// are written.
func TestGroupWriterFailsOnlyTheBadCall(t *testing.T) {
	g, addr := groupTestWriter(t, "t")
	huge := make([]byte, 2<<20) // beyond kafka-go's default BatchBytes, 1 MiB
	grp := &writeGroup{done: make(chan struct{})}
	grp.msgs = []kafka.Message{
		{Topic: "t", Key: []byte("a"), Value: []byte("first")},
		{Topic: "t", Key: []byte("b"), Value: huge},
		{Topic: "t", Key: []byte("c"), Value: []byte("third")},
	}
	grp.ends = []int{1, 2, 3}
	g.send(grp)
	if err := grp.errFor(0); err != nil {
		t.Errorf("call 0 (a small message): %v", err)
	}
	var tooLarge kafka.MessageTooLargeError
	if err := grp.errFor(1); !errors.As(err, &tooLarge) {
		t.Errorf("call 1 (2 MiB): %v, want a MessageTooLargeError", err)
	}
	if err := grp.errFor(2); err != nil {
		t.Errorf("call 2 (a small message): %v", err)
	}
	if got := readValues(t, addr, "t", 2); strings.Join(got, " ") != "first third" {
		t.Errorf("topic holds %v, want [first third]", got)
	}
}

// TestProducerClosedSendsWhatWasGathered: Close returns once the calls
// made before it are sent, and a Produce after Close fails at once.
func TestProducerClosedSendsWhatWasGathered(t *testing.T) {
	g, addr := groupTestWriter(t, "t")
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		writeErr = g.write(context.Background(), []kafka.Message{{Topic: "t", Value: []byte("before close")}})
	}()
	for gathered := false; !gathered; {
		time.Sleep(time.Millisecond)
		g.mu.Lock()
		gathered = g.next != nil
		g.mu.Unlock()
	}
	go g.run()
	g.close()
	if sends := g.sends.Load(); sends != 1 {
		t.Errorf("close returned with %d groups sent, want 1", sends)
	}
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("write before close: %v", writeErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // a refused write must not wait
	defer cancel()
	if err := g.write(ctx, []kafka.Message{{Topic: "t", Value: []byte("after close")}}); !errors.Is(err, errProducerClosed) {
		t.Errorf("write after close: %v, want %v", err, errProducerClosed)
	}
	if got := readValues(t, addr, "t", 1); got[0] != "before close" {
		t.Errorf("topic holds %v", got)
	}
}

// TestGroupWriterWithdrawsACallWhoseWaitEnded: a caller whose context
// ends while its group is still gathering gets its error and its messages
// back — they are never written — while the rest of the group is.
func TestGroupWriterWithdrawsACallWhoseWaitEnded(t *testing.T) {
	g, addr := groupTestWriter(t, "t")
	gone, leave := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	joined := func(calls int) { // waits until the group holds that many calls
		for waiting := 0; waiting < calls; {
			time.Sleep(time.Millisecond)
			g.mu.Lock()
			if g.next != nil {
				waiting = len(g.next.ends)
			}
			g.mu.Unlock()
		}
	}
	go func() { errs <- g.write(gone, []kafka.Message{{Topic: "t", Key: []byte("a"), Value: []byte("left")}}) }()
	joined(1) // the call that leaves is the group's first
	go func() {
		errs <- g.write(context.Background(), []kafka.Message{{Topic: "t", Key: []byte("b"), Value: []byte("stayed")}})
	}()
	joined(2)
	leave()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("the call that left: %v, want %v", err, context.Canceled)
	}
	g.mu.Lock()
	first, second := g.next.bounds(0)
	third, fourth := g.next.bounds(1)
	left := len(g.next.msgs)
	g.mu.Unlock()
	if left != 1 || first != second || third != 0 || fourth != 1 {
		t.Fatalf("after the withdrawal the group holds %d messages, calls at [%d,%d) and [%d,%d); want 1, [0,0) and [0,1)",
			left, first, second, third, fourth)
	}
	go g.run()
	if err := <-errs; err != nil {
		t.Fatalf("the call that stayed: %v", err)
	}
	g.close()
	written := int64(0)
	for p := 0; p < 4; p++ {
		conn, err := kafka.DialLeader(context.Background(), "tcp", addr, "t", p)
		if err != nil {
			t.Fatal(err)
		}
		last, err := conn.ReadLastOffset()
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		written += last
	}
	if written != 1 {
		t.Errorf("%d messages written, want 1 (the call that stayed)", written)
	}
	if sends, msgs := g.sends.Load(), g.messages.Load(); sends != 1 || msgs != 1 {
		t.Errorf("counted %d sends of %d messages, want 1 of 1", sends, msgs)
	}
	if got := readValues(t, addr, "t", 1); got[0] != "stayed" {
		t.Errorf("topic holds %v, want [stayed]", got)
	}
}
