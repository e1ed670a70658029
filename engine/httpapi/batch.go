package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"reco/engine"
)

// MaxBatchLines bounds the lines of one batch request.
const MaxBatchLines = 100_000

// batchLine is one request line of POST /v1/recommend/batch.
type batchLine struct {
	User     string   `json:"user"`
	Slot     string   `json:"slot"`
	N        int      `json:"n"`
	Item     string   `json:"item"`
	Cart     []string `json:"cart"`
	Category string   `json:"category"`
	MinPrice float64  `json:"min_price"`
	MaxPrice float64  `json:"max_price"`
	Exclude  []string `json:"exclude"`
	// Channel makes the line a notification: frequency caps apply and
	// users without consent are skipped.
	Channel string `json:"channel"`
}

// batchAnswer is one answer line: the recommendation, a skip, or an error.
type batchAnswer struct {
	Line     int
	Response *engine.Response
	Outcome  *engine.NotifyOutcome
	Error    string
}

// appendJSON appends {"line":N, "error"|"skipped"|"next_allowed_at"…,
// then the response's own fields} to dst. The response is written by its
// AppendJSON in place: json.Marshal would call it, then scan and compact
// its output once more — as much time as computing the answer.
func (a *batchAnswer) appendJSON(dst []byte) []byte {
	b := strconv.AppendInt(append(dst, `{"line":`...), int64(a.Line), 10)
	str := func(key, v string) {
		q, _ := json.Marshal(v) // errors and skips only: rare
		b = append(append(append(b, `,"`...), key...), `":`...)
		b = append(b, q...)
	}
	if a.Error != "" {
		str("error", a.Error)
	}
	if o := a.Outcome; o != nil {
		if o.Skipped != "" {
			str("skipped", o.Skipped)
		}
		if o.NextAllowedAt != 0 {
			b = append(b, `,"next_allowed_at":`...)
			b = strconv.AppendInt(b, o.NextAllowedAt, 10)
		}
	}
	if a.Response == nil {
		return append(b, '}')
	}
	// The response's opening brace becomes the comma after our fields.
	at := len(b)
	b = a.Response.AppendJSON(b)
	b[at] = ','
	return b
}

// batch answers NDJSON request lines with NDJSON answer lines, in order,
// streaming both ways: each line is answered as soon as it is read, and
// answers go out in chunks of batchFlushLines while the client is still
// sending — a notification system can pipe 100,000 users through one
// request without either side holding them all. A bad line gets an error
// line; the others are answered.
//
// fasthttp sends a response only after its handler returns, so once the
// first line is in, the handler writes a chunked HTTP/1.1 response on the
// connection itself and hijacks it (without a response of fasthttp's own):
// the connection closes after the batch.
func (s *Server) batch(ctx *fasthttp.RequestCtx) {
	var body io.Reader = ctx.RequestBodyStream()
	if body == nil { // small bodies arrive whole
		body = bytes.NewReader(ctx.PostBody())
	}
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), maxBatchLineBytes)
	line := 0
	var first []byte
	for first == nil && sc.Scan() {
		line++
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			first = bytes.Clone(l)
		}
	}
	if first == nil {
		if err := sc.Err(); err != nil {
			writeError(ctx, fasthttp.StatusBadRequest, "reading the batch: "+err.Error())
			return
		}
		writeError(ctx, fasthttp.StatusBadRequest, "empty body: send NDJSON lines like {\"user\":\"u1\",\"slot\":\"feed\",\"n\":5}")
		return
	}
	conn := ctx.Conn()
	if conn != nil {
		ctx.HijackSetNoResponse(true)
		ctx.Hijack(func(net.Conn) {}) // fasthttp closes the connection after us
	} else {
		ctx.SetContentType("application/x-ndjson")
	}
	cw := newChunkedWriter(conn, ctx.Response.BodyWriter())
	cw.header("200 OK", "application/x-ndjson")
	now := time.Now()
	var logged []*engine.Event
	var buf []byte // one answer line, reused
	var resp engine.Response
	answer := func(n int, l []byte) bool {
		ans := s.batchOne(l, now, &resp)
		ans.Line = n
		if ans.Outcome != nil {
			logged = append(logged, ans.Outcome.Events...)
		}
		buf = append(ans.appendJSON(buf[:0]), '\n')
		cw.write(buf)
		if n%batchFlushLines == 0 {
			return cw.flush() == nil
		}
		return cw.err == nil
	}
	// A reader goroutine feeds lines; answers are flushed whenever no
	// further line is waiting, so a client that sends a few lines and
	// waits for them gets them at once.
	type reqLine struct {
		n int
		b []byte
	}
	lines := make(chan reqLine, 256)
	var readErr error
	go func() {
		defer close(lines)
		n := line
		for sc.Scan() {
			n++
			if n > MaxBatchLines {
				readErr = errTooManyLines
				return
			}
			if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
				lines <- reqLine{n, bytes.Clone(l)}
			}
		}
		readErr = sc.Err()
	}()
	ok := answer(line, first)
	for ok {
		var l reqLine
		var more bool
		select {
		case l, more = <-lines:
		default:
			ok = cw.flush() == nil
			l, more = <-lines
		}
		if !more {
			break
		}
		ok = ok && answer(l.n, l.b)
	}
	for range lines { // the client went away: let the reader finish
	}
	if readErr != nil && ok {
		cw.write([]byte(`{"error":` + strconv.Quote("reading the batch: "+readErr.Error()) + `}` + "\n"))
	}
	cw.end()
	s.logNotifications(logged)
}

var errTooManyLines = errors.New("more than 100000 lines: the rest is not read")

// Batch limits.
const (
	maxBatchLineBytes = 256 << 10
	batchFlushLines   = 100
)

// batchOne answers one request line. A plain recommendation is written
// into resp, which the caller reuses for every line (encoding each answer
// before the next); a notification's answer is the engine's own.
func (s *Server) batchOne(l []byte, now time.Time, resp *engine.Response) batchAnswer {
	var bl batchLine
	if err := json.Unmarshal(l, &bl); err != nil {
		return batchAnswer{Error: "invalid JSON: " + err.Error()}
	}
	if len(bl.Cart) > s.cfg.MaxListLen || len(bl.Exclude) > s.cfg.MaxListLen {
		return batchAnswer{Error: "cart or exclude has too many entries"}
	}
	req := &engine.Request{Slot: bl.Slot, User: bl.User, N: bl.N, Item: bl.Item, Cart: bl.Cart,
		Category: bl.Category, MinPrice: bl.MinPrice, MaxPrice: bl.MaxPrice, Exclude: bl.Exclude}
	if strings.TrimSpace(bl.Channel) == "" {
		if err := s.cfg.Engine.RecommendInto(req, resp); err != nil {
			return batchAnswer{Error: err.Error()}
		}
		resp.RequestID = s.cfg.Engine.NewRequestID(resp.Slot, resp.Variant)
		return batchAnswer{Response: resp}
	}
	notified, out, err := s.cfg.Engine.Notify(req, bl.Channel, now)
	if err != nil {
		return batchAnswer{Error: err.Error()}
	}
	if notified == nil { // skipped: say who, the outcome says why
		notified = &engine.Response{Slot: bl.Slot, User: bl.User}
	}
	return batchAnswer{Response: notified, Outcome: out}
}

// logNotifications writes the caps recorded by a batch to the log, so that
// they survive restarts and reach replicas. Failure is logged: the caps
// still hold in this process until its next restart.
func (s *Server) logNotifications(evs []*engine.Event) {
	if len(evs) == 0 || s.cfg.Sink == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.cfg.Sink.ProduceEvents(ctx, evs); err != nil && !errors.Is(err, context.Canceled) {
		s.cfg.Logger.Error("writing notification caps to the log failed", "events", len(evs), "err", err)
	}
}
