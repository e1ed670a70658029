package httpapi

import (
	"errors"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"reco/engine"
)

// maxParamBytes bounds a single query parameter value.
const maxParamBytes = 64 << 10

// answerWork is what one recommend request computes in, pooled: the
// parsed request and the answer, whose arrays are reused.
type answerWork struct {
	req  engine.Request
	resp engine.Response
}

func (s *Server) recommend(ctx *fasthttp.RequestCtx, slot string) {
	w, _ := s.answers.Get().(*answerWork)
	if w == nil {
		w = new(answerWork)
	}
	defer s.answers.Put(w)
	req, resp := &w.req, &w.resp
	if err := s.parseRecommend(ctx, slot, req); err != nil {
		writeError(ctx, fasthttp.StatusBadRequest, err.Error())
		return
	}
	var keyBuf [256]byte
	var key []byte
	if s.cache != nil {
		key = appendCacheKey(keyBuf[:0], slot, ctx.URI().QueryString(), s.cfg.Engine.AnswerVersion(req.User))
		if a, ok := s.cache.get(key); ok {
			ctx.SetContentType("application/json")
			a.writeTo(&ctx.Response, s.cfg.Engine)
			return
		}
	}
	if err := s.cfg.Engine.RecommendInto(req, resp); err != nil {
		switch {
		case errors.Is(err, engine.ErrUnknownSlot):
			writeError(ctx, fasthttp.StatusNotFound, err.Error()+" (want similar, feed, cross-sell, upsell, bundle or reminders)")
		case isRequestError(err):
			writeError(ctx, fasthttp.StatusBadRequest, err.Error())
		default:
			writeError(ctx, fasthttp.StatusInternalServerError, err.Error())
		}
		return
	}
	// Encoded without a request id, then written as a cached answer is:
	// with a new id spliced in. The cache stores a copy of the same bytes.
	buf, _ := s.bodies.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	defer s.bodies.Put(buf)
	*buf = append(resp.AppendJSON((*buf)[:0]), '\n')
	a := newCachedAnswer(*buf, resp.Slot, resp.Variant)
	ctx.SetContentType("application/json")
	a.writeTo(&ctx.Response, s.cfg.Engine)
	if s.cache != nil {
		s.cache.store(key, a)
	}
}

func isRequestError(err error) bool {
	var re *engine.RequestError
	return errors.As(err, &re)
}

// parseRecommend turns the query string into req; errors name the
// offending parameter.
func (s *Server) parseRecommend(ctx *fasthttp.RequestCtx, slot string, req *engine.Request) error {
	*req = engine.Request{Slot: slot}
	args := ctx.QueryArgs()
	var err error
	args.VisitAll(func(k, v []byte) {
		if err != nil {
			return
		}
		if len(v) > maxParamBytes {
			err = &engine.RequestError{Param: string(k), Reason: "too long"}
			return
		}
		switch string(k) {
		case "user":
			req.User = string(v)
		case "item":
			req.Item = string(v)
		case "category":
			req.Category = string(v)
		case "n":
			req.N, err = parseInt("n", v)
		case "min_price":
			req.MinPrice, err = parsePrice("min_price", v)
		case "max_price":
			req.MaxPrice, err = parsePrice("max_price", v)
		case "cart":
			req.Cart, err = s.parseList("cart", v)
		case "exclude":
			req.Exclude, err = s.parseList("exclude", v)
		}
	})
	return err
}

func parseInt(name string, v []byte) (int, error) {
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return 0, &engine.RequestError{Param: name, Reason: "not an integer: " + strconv.Quote(clip(string(v)))}
	}
	return n, nil
}

func parsePrice(name string, v []byte) (float64, error) {
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || f < 0 || f != f || f > 1e12 {
		return 0, &engine.RequestError{Param: name, Reason: "not a non-negative number: " + strconv.Quote(clip(string(v)))}
	}
	return f, nil
}

func (s *Server) parseList(name string, v []byte) ([]string, error) {
	if len(v) == 0 {
		return nil, nil
	}
	parts := strings.Split(string(v), ",")
	if len(parts) > s.cfg.MaxListLen {
		return nil, &engine.RequestError{Param: name, Reason: "more than " + strconv.Itoa(s.cfg.MaxListLen) + " entries"}
	}
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}
