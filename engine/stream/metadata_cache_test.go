package stream

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	metadataAPI "github.com/segmentio/kafka-go/protocol/metadata"
	produceAPI "github.com/segmentio/kafka-go/protocol/produce"
)

// countingTransport answers metadata lookups with one topic of parts
// partitions (or errCode), counting the requests that reach it.
type countingTransport struct {
	calls   int
	parts   int
	errCode int16
	err     error
}

func (t *countingTransport) RoundTrip(_ context.Context, _ net.Addr, req kafka.Request) (kafka.Response, error) {
	t.calls++
	if t.err != nil {
		return nil, t.err
	}
	m, ok := req.(*metadataAPI.Request)
	if !ok {
		return &produceAPI.Response{}, nil
	}
	resp := &metadataAPI.Response{}
	for _, name := range m.TopicNames {
		resp.Topics = append(resp.Topics, metadataAPI.ResponseTopic{Name: name, ErrorCode: t.errCode,
			Partitions: make([]metadataAPI.ResponsePartition, t.parts)})
	}
	return resp, nil
}

func lookup(name string, create bool) *metadataAPI.Request {
	return &metadataAPI.Request{TopicNames: []string{name}, AllowAutoTopicCreation: create}
}

func TestMetadataCache(t *testing.T) {
	addr := kafka.TCP("127.0.0.1:9")
	ctx := context.Background()
	tests := []struct {
		name      string
		transport countingTransport
		requests  []kafka.Request
		wantCalls int
	}{
		{"a topic's repeated lookups ask once", countingTransport{parts: 3},
			[]kafka.Request{lookup("t", true), lookup("t", true), lookup("t", true)}, 1},
		{"other topics and other creation flags are other questions", countingTransport{parts: 3},
			[]kafka.Request{lookup("t", true), lookup("u", true), lookup("t", false), lookup("u", true)}, 3},
		{"an answer with an error is not kept", countingTransport{parts: 0, errCode: 5},
			[]kafka.Request{lookup("t", true), lookup("t", true)}, 2},
		{"a failed round trip is not kept", countingTransport{err: errors.New("refused")},
			[]kafka.Request{lookup("t", true), lookup("t", true)}, 2},
		{"lookups of several topics pass", countingTransport{parts: 1},
			[]kafka.Request{&metadataAPI.Request{TopicNames: []string{"t", "u"}}, &metadataAPI.Request{TopicNames: []string{"t", "u"}}}, 2},
		{"other requests pass", countingTransport{},
			[]kafka.Request{&produceAPI.Request{}, &produceAPI.Request{}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := tt.transport
			c := newMetadataCache(&next, time.Second)
			c.afterFunc = func(time.Duration, func()) {} // nothing expires
			for i, req := range tt.requests {
				resp, err := c.RoundTrip(ctx, addr, req)
				if (err != nil) != (next.err != nil) {
					t.Fatalf("request %d: error %v, transport's %v", i, err, next.err)
				}
				if m, ok := req.(*metadataAPI.Request); ok && err == nil {
					topics := resp.(*metadataAPI.Response).Topics
					if len(topics) != len(m.TopicNames) || topics[0].Name != m.TopicNames[0] || len(topics[0].Partitions) != next.parts {
						t.Fatalf("request %d for %v: answered %+v", i, m.TopicNames, topics)
					}
				}
			}
			if next.calls != tt.wantCalls {
				t.Errorf("transport asked %d times, want %d", next.calls, tt.wantCalls)
			}
		})
	}
}

// TestMetadataCacheExpires checks that a kept answer is dropped when its
// timer fires, so that a changed partition count is seen, and that an old
// timer does not drop the answer that replaced it.
func TestMetadataCacheExpires(t *testing.T) {
	addr := kafka.TCP("127.0.0.1:9")
	ctx := context.Background()
	next := &countingTransport{parts: 2}
	c := newMetadataCache(next, time.Minute)
	var timers []func()
	c.afterFunc = func(d time.Duration, f func()) {
		if d != time.Minute {
			t.Errorf("timer set for %v, want the ttl", d)
		}
		timers = append(timers, f)
	}
	partitions := func() int {
		t.Helper()
		resp, err := c.RoundTrip(ctx, addr, lookup("t", true))
		if err != nil {
			t.Fatal(err)
		}
		return len(resp.(*metadataAPI.Response).Topics[0].Partitions)
	}

	partitions()
	next.parts = 4 // a partition added on the broker
	if got := partitions(); got != 2 {
		t.Fatalf("before the ttl: %d partitions, want the kept 2", got)
	}
	timers[0]()
	if got := partitions(); got != 4 {
		t.Fatalf("after the ttl: %d partitions, want the broker's 4", got)
	}
	timers[0]() // the first answer's timer again: the new answer stays
	partitions()
	if next.calls != 2 || len(timers) != 2 {
		t.Errorf("transport asked %d times with %d timers set, want 2 and 2", next.calls, len(timers))
	}
}
