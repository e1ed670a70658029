package broker

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// TestSegmentBytesRollsTheLogAndKeepsIt produces 3 MB into one partition
// of a broker with a data directory, with 1 MiB segments and with the
// default: the log must roll into several segment files only with the
// former, and a restarted broker must serve every message back, in order,
// from either.
func TestSegmentBytesRollsTheLogAndKeepsIt(t *testing.T) {
	for _, tc := range []struct {
		segmentBytes int
		manySegments bool
	}{
		{1 << 20, true},
		{0, false}, // DefaultSegmentBytes, larger than what is produced
	} {
		t.Run("segment bytes "+strconv.Itoa(tc.segmentBytes), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cfg := Config{Addr: "127.0.0.1:0", Topics: []string{"t"}, Partitions: 1, DataDir: t.TempDir(), SegmentBytes: tc.segmentBytes}
			b, err := Start(cfg)
			if err != nil {
				t.Fatal(err)
			}
			const n = 3000
			produceNumbered(ctx, t, b.Addr(), n)
			b.Close()

			segments, _ := filepath.Glob(filepath.Join(cfg.DataDir, "partitions", "t-0", "*.dat"))
			if many := len(segments) > 1; many != tc.manySegments {
				t.Errorf("%d segment files after 3 MB: %v", len(segments), segments)
			}

			cfg.Addr = "127.0.0.1:0"
			b, err = Start(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			// Fetches of 64 KiB, not kafka-go's 1 MiB: a restarted broker
			// reads its answer from the segment files, and under the race
			// detector on this VM 1 MiB took longer than kafka-go's read
			// deadline for a 50 ms MaxWait — every fetch timed out, again
			// and again, until the test's 30 s ran out.
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{b.Addr()}, Topic: "t", Partition: 0, MaxWait: 50 * time.Millisecond, MaxBytes: 64 << 10})
			defer r.Close()
			for i := range n {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					t.Fatalf("after a restart, message %d: %v", i, err)
				}
				if got, _, _ := strings.Cut(string(m.Value), " "); got != strconv.Itoa(i) {
					t.Fatalf("after a restart, message %d reads %q", i, got)
				}
			}
		})
	}
}

// TestRetentionBoundsEachPartitionsLog produces 6 MB into one partition
// of a broker keeping 1 MiB per partition (1 MiB segments): the oldest
// records are deleted, the log start moves past them, and the newest are
// still served. Without retention the log keeps everything.
func TestRetentionBoundsEachPartitionsLog(t *testing.T) {
	for _, tc := range []struct {
		retention int64
		deletes   bool
	}{
		{1 << 20, true},
		{0, false},
	} {
		t.Run("retention bytes "+strconv.FormatInt(tc.retention, 10), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			b, err := Start(Config{Addr: "127.0.0.1:0", Topics: []string{"t"}, Partitions: 1, SegmentBytes: 1 << 20,
				RetentionBytes: tc.retention, RetentionCheck: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			const n = 6000 // ~6 MB
			produceNumbered(ctx, t, b.Addr(), n)
			conn, err := kafka.DialLeader(ctx, "tcp", b.Addr(), "t", 0)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// 1 MiB holds ~1,000 of these records; a segment's worth more
			// may stay until it is whole. Without retention, ten checks'
			// time changes nothing.
			deadline := time.Now().Add(10 * time.Second)
			if !tc.deletes {
				deadline = time.Now().Add(200 * time.Millisecond)
			}
			var first, last int64
			for {
				if first, last, err = conn.ReadOffsets(); err != nil {
					t.Fatal(err)
				}
				if first >= n-3000 || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if last != n {
				t.Fatalf("log ends at %d, want %d", last, n)
			}
			if tc.deletes && first < n-3000 {
				t.Fatalf("log starts at %d of %d with 1 MiB of retention: want the oldest deleted", first, n)
			}
			if !tc.deletes && first != 0 {
				t.Fatalf("log starts at %d without retention, want 0", first)
			}
			// The newest record is still there.
			if _, err := conn.Seek(n-1, kafka.SeekAbsolute); err != nil {
				t.Fatal(err)
			}
			m, err := conn.ReadMessage(2 << 20)
			if err != nil || !strings.HasPrefix(string(m.Value), strconv.Itoa(n-1)+" ") {
				t.Fatalf("reading the newest record: %q, %v", m.Value, err)
			}
		})
	}
}

// TestRetentionRefusesANegativeBound: a negative bound is a mistake, not
// "keep everything".
func TestRetentionRefusesANegativeBound(t *testing.T) {
	if _, err := Start(Config{Addr: "127.0.0.1:0", RetentionBytes: -1}); err == nil || !strings.Contains(err.Error(), "want 0") {
		t.Fatalf("Start with RetentionBytes -1 = %v, want an error", err)
	}
}

// produceNumbered writes n records of ~1 KB to topic t's partition 0, each
// value starting with its number and a space.
func produceNumbered(ctx context.Context, t *testing.T, addr string, n int) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(addr), Topic: "t", BatchSize: 100, BatchBytes: 1 << 20, BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i].Value = []byte(strconv.Itoa(i) + strings.Repeat(" ", 1000))
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}
