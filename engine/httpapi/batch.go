package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// MarshalJSON writes {"line":N, "error"|"skipped"|"next_allowed_at"…,
// then the response's own fields}.
func (a *batchAnswer) MarshalJSON() ([]byte, error) {
	b := append([]byte(`{"line":`), strconv.Itoa(a.Line)...)
	str := func(key, v string) {
		q, _ := json.Marshal(v)
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
		return append(b, '}'), nil
	}
	rb, err := json.Marshal(a.Response)
	if err != nil {
		return nil, err
	}
	return append(append(b, ','), rb[1:]...), nil
}

// batch answers NDJSON request lines with NDJSON answer lines, in order.
// The body is read in full first (it is bounded by MaxBodyBytes and
// MaxBatchLines); answers are computed one by one and streamed out as they
// are, so the first ones leave long before the last is computed. A bad
// line gets an error line; the others are answered.
func (s *Server) batch(ctx *fasthttp.RequestCtx) {
	body := bytes.Clone(ctx.PostBody()) // ctx is off limits in the stream writer
	if n := bytes.Count(body, []byte{'\n'}); n > MaxBatchLines {
		writeError(ctx, fasthttp.StatusRequestEntityTooLarge, "more than 100000 lines; split the batch")
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		writeError(ctx, fasthttp.StatusBadRequest, "empty body: send NDJSON lines like {\"user\":\"u1\",\"slot\":\"feed\",\"n\":5}")
		return
	}
	now := time.Now()
	ctx.SetContentType("application/x-ndjson")
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		enc := json.NewEncoder(w)
		var logged []*engine.Event
		eachLine(body, func(line int, l []byte) bool {
			ans := s.batchOne(l, now)
			ans.Line = line
			if ans.Outcome != nil {
				logged = append(logged, ans.Outcome.Events...)
			}
			if err := enc.Encode(&ans); err != nil {
				return false // client gone
			}
			if line%100 == 0 {
				return w.Flush() == nil
			}
			return true
		})
		w.Flush()
		s.logNotifications(logged)
	})
}

func (s *Server) batchOne(l []byte, now time.Time) batchAnswer {
	var bl batchLine
	dec := json.NewDecoder(bytes.NewReader(l))
	if err := dec.Decode(&bl); err != nil {
		return batchAnswer{Error: "invalid JSON: " + err.Error()}
	}
	if len(bl.Cart) > s.cfg.MaxListLen || len(bl.Exclude) > s.cfg.MaxListLen {
		return batchAnswer{Error: "cart or exclude has too many entries"}
	}
	req := &engine.Request{Slot: bl.Slot, User: bl.User, N: bl.N, Item: bl.Item, Cart: bl.Cart,
		Category: bl.Category, MinPrice: bl.MinPrice, MaxPrice: bl.MaxPrice, Exclude: bl.Exclude}
	if strings.TrimSpace(bl.Channel) == "" {
		resp, err := s.cfg.Engine.Recommend(req)
		if err != nil {
			return batchAnswer{Error: err.Error()}
		}
		return batchAnswer{Response: resp}
	}
	resp, out, err := s.cfg.Engine.Notify(req, bl.Channel, now)
	if err != nil {
		return batchAnswer{Error: err.Error()}
	}
	if resp == nil { // skipped: say who, the outcome says why
		resp = &engine.Response{Slot: bl.Slot, User: bl.User}
	}
	return batchAnswer{Response: resp, Outcome: out}
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
