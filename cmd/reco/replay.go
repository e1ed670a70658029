package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"reco/engine"
	"reco/engine/stream"
)

// runReplay produces a JSONL file of events to one topic, keyed like the
// HTTP ingest keys them. Invalid lines are reported and skipped.
func runReplay(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	brokers := fs.String("brokers", "127.0.0.1:9092", "comma-separated Kafka bootstrap brokers")
	topic := fs.String("topic", "reco.events", "topic to produce to")
	batch := fs.Int("batch", 1000, "messages per partition's record batch at most")
	linger := fs.Duration("linger", 10*time.Millisecond, "how long a partly filled batch waits for more lines before it is sent")
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
	if err := checkMins(fs, flagMin{"batch", float64(*batch), 1}, flagMin{"rate", float64(*rate), 0}, flagMin{"in-flight", float64(*inFlight), 0}, flagMin{"linger", linger.Seconds(), 0}); err != nil {
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
	// --in-flight 0 waits for each batch's acknowledgement: one message
	// in flight lets a batch go only when none is unacknowledged.
	p, err := stream.NewBulkProducer(ctx, stream.BulkProducerConfig{Brokers: strings.Split(*brokers, ","), Topic: *topic, InFlight: max(*inFlight, 1), BatchSize: *batch})
	if err != nil {
		return err
	}
	defer p.Close(ctx) // after an error; the run's own Close is below
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), engine.MaxEventBytes+1)
	var dec engine.Message
	if os.Getenv("GOGC") == "" {
		// The replay's live heap is a few MB of messages in flight, so
		// the default GOGC collects every few MB allocated: 6 % of its
		// CPU at 390 k events/s, on the CPUs the server it feeds runs on.
		debug.SetGCPercent(400)
	}
	line, sent, bad := 0, 0, 0
	start := time.Now()
	now, flushed, reported := start, start, start
	// The producer copies each line into its partition's record batch,
	// so one buffer (value) serves every line that needs a time written
	// in. The clock is read once every paceLines lines: to pace, to send
	// batches older than --linger, and as the time of the lines without
	// one. Read once a line, it had cost 10 % of the replay's CPU.
	var value []byte
	const paceLines = 100
	pace := func() error {
		if *rate > 0 { // the next lines may go when the schedule says so
			due := start.Add(time.Duration(float64(sent) / float64(*rate) * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
		if now = time.Now(); now.Sub(flushed) >= *linger {
			if err := p.Flush(ctx); err != nil {
				return err
			}
			flushed = now
		}
		if now.Sub(reported) > time.Second {
			reported = now
			fmt.Fprintf(os.Stderr, "replay: %d events produced (%.0f/s)\n", sent, float64(sent)/now.Sub(start).Seconds())
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
		v := text // Add copies it into the partition's batch
		if ev.TS == 0 {
			value = appendStampedLine(value[:0], text, ev.TS, now)
			v = value
		}
		if err := p.Add(ctx, ev.Key(), v); err != nil {
			return err
		}
		if sent++; sent%paceLines == 0 {
			if err := pace(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s at line %d: %w", fs.Arg(0), line+1, err)
	}
	if err := p.Close(ctx); err != nil { // waits for the events still in flight
		return err
	}
	fmt.Fprintf(os.Stderr, "replay: %d events produced to %s, %d invalid lines skipped, in %s\n", sent, *topic, bad, time.Since(start).Round(time.Millisecond))
	return nil
}

// replayOnOneProc gives `reco replay`'s process one P unless GOMAXPROCS
// is set in the environment. One goroutine reads and encodes lines and
// one per partition sends: a quarter of a CPU at 363 k events/s. A second
// P only spins and wakes threads on the CPUs the server it feeds may
// share (4 M events at 363 k/s: 2.3 and 3.0 s of CPU against 3.4 and 3.5
// s with two). One P still produced 800 k events/s to the embedded
// broker here. main calls it, not runReplay, so that tests calling
// runReplay keep their process's Ps.
func replayOnOneProc() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
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
