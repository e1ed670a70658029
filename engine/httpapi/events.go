package httpapi

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/valyala/fasthttp"

	"reco/engine"
)

// eventsResponse is the body of a 202 from POST /v1/events.
type eventsResponse struct {
	Error    string          `json:"error,omitempty"`
	Accepted int             `json:"accepted"`
	Rejected int             `json:"rejected"`
	Errors   []rejectedEvent `json:"errors,omitempty"`
}

type rejectedEvent struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// maxReportedErrors bounds the per-line reasons in one response.
const maxReportedErrors = 100

// events validates an NDJSON body line by line and produces the valid
// events to Kafka. Events without ts get the time of arrival here, so that
// replaying the log later gives the same state.
func (s *Server) events(ctx *fasthttp.RequestCtx) {
	body, err := s.readBody(ctx)
	if err != nil {
		writeError(ctx, fasthttp.StatusRequestEntityTooLarge, err.Error())
		return
	}
	var resp eventsResponse
	var evs []*engine.Event
	now := time.Now().UnixMilli()
	eachLine(body, func(line int, l []byte) bool {
		ev, err := engine.DecodeEvent(l)
		if err == nil {
			err = s.cfg.Engine.CheckTimestamp(ev)
		}
		if err != nil {
			resp.Rejected++
			if len(resp.Errors) < maxReportedErrors {
				resp.Errors = append(resp.Errors, rejectedEvent{Line: line, Error: err.Error()})
			}
			return true
		}
		if ev.TS == 0 {
			ev.TS = now
		}
		evs = append(evs, ev)
		return true
	})
	if resp.Rejected > 0 && len(evs) == 0 {
		resp.Error = "no valid event in the body"
	}
	if len(evs) == 0 && resp.Rejected == 0 {
		writeError(ctx, fasthttp.StatusBadRequest, "empty body: send NDJSON events, one per line")
		return
	}
	if len(evs) > 0 {
		if s.cfg.Sink == nil {
			writeError(ctx, fasthttp.StatusServiceUnavailable, "no event log configured")
			return
		}
		pctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := s.cfg.Sink.ProduceEvents(pctx, evs)
		cancel()
		if err != nil {
			s.cfg.Logger.Warn("producing events failed", "events", len(evs), "err", err)
			writeError(ctx, fasthttp.StatusServiceUnavailable, "event log unavailable: "+err.Error())
			return
		}
	}
	resp.Accepted = len(evs)
	if resp.Accepted == 0 {
		// Nothing usable: a client error, with the same per-line reasons.
		writeJSON(ctx, fasthttp.StatusBadRequest, resp)
		return
	}
	writeJSON(ctx, fasthttp.StatusAccepted, resp)
}

// readBody returns the whole request body, refusing one over MaxBodyBytes
// (the server streams large bodies instead of refusing them, for batch).
func (s *Server) readBody(ctx *fasthttp.RequestCtx) ([]byte, error) {
	r := ctx.RequestBodyStream()
	if r == nil {
		return ctx.PostBody(), nil
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(s.cfg.MaxBodyBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	if len(b) > s.cfg.MaxBodyBytes {
		return nil, fmt.Errorf("body exceeds %d bytes", s.cfg.MaxBodyBytes)
	}
	return b, nil
}
