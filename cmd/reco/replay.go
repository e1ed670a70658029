package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
	"reco/engine/stream"
)

// runReplay produces a JSONL file of events to one topic, keyed like the
// HTTP ingest keys them. Invalid lines are reported and skipped.
func runReplay(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	brokers := fs.String("brokers", "127.0.0.1:9092", "comma-separated Kafka bootstrap brokers")
	topic := fs.String("topic", "reco.events", "topic to produce to")
	batch := fs.Int("batch", 1000, "messages per write")
	rate := fs.Int("rate", 0, "events per second at most (0 = as fast as the broker takes them)")
	inFlight := fs.Int("in-flight", 20000, "events written but not yet acknowledged at most (0 = wait for each batch's acknowledgement)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: reco replay [--brokers B] [--topic T] FILE.jsonl")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := applyEnv(fs); err != nil {
		return err
	}
	if err := checkMins(fs, flagMin{"batch", float64(*batch), 1}, flagMin{"rate", float64(*rate), 0}, flagMin{"in-flight", float64(*inFlight), 0}); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("want exactly one FILE.jsonl")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	p := stream.NewProducer(stream.ProducerConfig{Brokers: strings.Split(*brokers, ","), EventsTopic: *topic, CatalogTopic: *topic, BatchTimeout: 10 * time.Millisecond, InFlight: *inFlight})
	defer p.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), engine.MaxEventBytes+1)
	var msgs []kafka.Message
	var dec engine.Message
	if os.Getenv("GOGC") == "" {
		// The replay's live heap is a few MB of messages in flight, so
		// the default GOGC collects every few MB allocated: 6 % of its
		// CPU at 390 k events/s, on the CPUs the server it feeds runs on.
		debug.SetGCPercent(400)
	}
	line, sent, bad := 0, 0, 0
	start, last := time.Now(), time.Now()
	// The batch's keys and values are cut from one buffer, a fresh one
	// per batch: the producer holds a batch's bytes until the broker has
	// acknowledged it, so a buffer is never reused. Two allocations a line
	// (and a clock read: one per batch stamps the lines without a time)
	// had cost 10 % of the replay's CPU.
	var buf []byte
	var now time.Time
	flush := func() error {
		if *rate > 0 { // pace: the batch may leave when the schedule says so
			due := start.Add(time.Duration(float64(sent) / float64(*rate) * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
		if err := p.Produce(ctx, msgs...); err != nil {
			return err
		}
		sent += len(msgs)
		msgs = msgs[:0]
		if time.Since(last) > time.Second {
			last = time.Now()
			fmt.Fprintf(os.Stderr, "replay: %d events produced (%.0f/s)\n", sent, float64(sent)/time.Since(start).Seconds())
		}
		return nil
	}
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		// Decoded in place, borrowing the line's bytes: the message is
		// made from them before the scanner reuses them.
		dec.Decode(text)
		ev, err := &dec.Event, dec.Err
		if err != nil {
			bad++
			slog.Warn("skipping invalid line", "file", fs.Arg(0), "line", line, "err", err)
			continue
		}
		if len(msgs) == 0 {
			// Sized for a batch of lines like its first, up to 4 MiB: a
			// long first line (up to 64 KiB) and a large --batch must
			// not reserve gigabytes; the buffer grows if it must.
			buf, now = make([]byte, 0, min(*batch*(len(text)+48), 4<<20)), time.Now()
		}
		n := len(buf)
		buf = append(buf, ev.Key()...)
		k := len(buf)
		buf = appendStampedLine(buf, text, ev.TS, now)
		msgs = append(msgs, kafka.Message{Topic: *topic, Key: buf[n:k:k], Value: buf[k:len(buf):len(buf)]})
		if len(msgs) >= *batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s at line %d: %w", fs.Arg(0), line+1, err)
	}
	if err := flush(); err != nil {
		return err
	}
	if err := p.Close(); err != nil { // waits for the events still in flight
		return err
	}
	fmt.Fprintf(os.Stderr, "replay: %d events produced to %s, %d invalid lines skipped, in %s\n", sent, *topic, bad, time.Since(start).Round(time.Millisecond))
	return nil
}

// appendStampedLine appends to dst the message value for a valid event's
// line: the line, with `"ts":` now added when the event has no time. A
// line is already an event as the topic carries them (JSON, CONTRACT.md),
// and adding a field costs a copy where decoding and encoding the event
// again cost 13 % of the replay's CPU. The time goes last, where it wins
// over a "ts" the line may hold as 0 or null, as it does in encoding/json.
func appendStampedLine(dst, line []byte, ts int64, now time.Time) []byte {
	if ts != 0 {
		return append(dst, line...)
	}
	last := bytes.LastIndexByte(line, '}') // a valid event is one object
	dst = append(dst, line[:last]...)
	dst = append(dst, `,"ts":`...)
	dst = strconv.AppendInt(dst, now.UnixMilli(), 10)
	return append(dst, '}')
}
