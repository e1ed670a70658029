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
			w := &kafka.Writer{Addr: kafka.TCP(b.Addr()), Topic: "t", BatchSize: 100, BatchBytes: 1 << 20, BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
			msgs := make([]kafka.Message, n)
			for i := range msgs {
				msgs[i].Value = []byte(strconv.Itoa(i) + strings.Repeat(" ", 1000))
			}
			if err := w.WriteMessages(ctx, msgs...); err != nil {
				t.Fatal(err)
			}
			w.Close()
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
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{b.Addr()}, Topic: "t", Partition: 0, MaxWait: 50 * time.Millisecond})
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
