// Package httpapi serves the engine over HTTP with fasthttp (CONTRACT.md
// "HTTP"): recommendations, event ingest (to Kafka, never straight to
// memory), item and user inspection, health, readiness and metrics.
package httpapi

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"reco/engine"
	"reco/engine/metrics"
)

// EventSink receives validated events from POST /v1/events; in production
// it is the Kafka producer, so that every event reaches the engine through
// the log.
type EventSink interface {
	ProduceEvents(ctx context.Context, evs []*engine.Event) error
}

// Config configures a Server.
type Config struct {
	Engine *engine.Engine
	Sink   EventSink
	// Ready reports readiness for /readyz; nil means always ready.
	Ready func() (bool, string)
	// APIKey, when set, is required on write endpoints, as
	// "Authorization: Bearer KEY" or "X-API-Key: KEY". It opens the read
	// endpoints too.
	APIKey string
	// ReadAPIKey, when set, is required on the read endpoints
	// (recommendations, items, users); APIKey is accepted as well.
	ReadAPIKey string
	// MaxBodyBytes bounds request bodies. Default 16 MiB.
	MaxBodyBytes int
	// MaxListLen bounds the cart and exclude lists. Default 500.
	MaxListLen int
	// CacheTTL, when positive, caches rendered recommend answers that long
	// (see answerCache: a user's own events invalidate at once).
	CacheTTL time.Duration
	// CacheBytes bounds the answer cache. Default 64 MiB.
	CacheBytes int64
	Metrics    *metrics.Registry
	Logger     *slog.Logger
}

// Server is the HTTP API.
type Server struct {
	cfg Config
	srv *fasthttp.Server
	// latency and requests, per route.
	latency map[string]*metrics.Histogram
	// requests returns the counter of a route and status code. It is on
	// every request's path: the counters found are kept in requestsSeen,
	// so that the label string is built and the registry searched once
	// per pair rather than per request (~1 µs of a cached answer's ~14).
	requests     func(route string, code int) *metrics.Counter
	requestsSeen sync.Map // routeCode → *metrics.Counter
	panics       *metrics.Counter
	cache        *answerCache // nil when caching is off
	bodies       sync.Pool    // *[]byte: encoding buffers for answers
	answers      sync.Pool    // *answerWork: requests being answered
}

// latencyBuckets are the histogram bounds in seconds: dense below a
// millisecond, where the answers are supposed to be.
func latencyBuckets() []float64 {
	return []float64{25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 50e-3, 250e-3, 1}
}

// routes lists the route labels used in metrics.
const (
	routeRecommend = "recommend"
	routeBatch     = "batch"
	routeEvents    = "events"
	routeItem      = "item"
	routeUser      = "user"
	routeHealth    = "healthz"
	routeReady     = "readyz"
	routeMetrics   = "metrics"
	routeStats     = "stats"
	routeNotFound  = "not_found"
)

// New returns a server; Serve starts it.
func New(cfg Config) (*Server, error) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 16 << 20
	}
	if cfg.MaxListLen <= 0 {
		cfg.MaxListLen = 500
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.NewRegistry()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, latency: map[string]*metrics.Histogram{}}
	reg := cfg.Metrics
	for _, r := range []string{routeRecommend, routeBatch, routeEvents, routeItem, routeUser, routeHealth, routeReady, routeMetrics, routeStats, routeNotFound} {
		s.latency[r] = reg.Histogram("reco_http_request_duration_seconds", metrics.Label("route", r),
			"Server time per HTTP request, by route.", latencyBuckets())
	}
	s.requests = func(route string, code int) *metrics.Counter {
		return reg.Counter("reco_http_requests_total", metrics.Label("route", route)+","+metrics.Label("code", strconv.Itoa(code)),
			"HTTP requests, by route and status code.")
	}
	s.panics = reg.Counter("reco_http_panics_total", "", "Handler panics recovered (answered 500).")
	if cfg.CacheTTL > 0 {
		if cfg.CacheBytes <= 0 {
			cfg.CacheBytes = 64 << 20
		}
		c, err := newAnswerCache(cfg.CacheTTL, cfg.CacheBytes, reg)
		if err != nil {
			return nil, fmt.Errorf("answer cache: %w", err)
		}
		s.cache = c
	}
	s.srv = &fasthttp.Server{
		// Gzip/deflate (klauspost/compress, inside fasthttp) when the
		// client asks for it.
		Handler:            fasthttp.CompressHandlerLevel(s.handle, fasthttp.CompressBestSpeed),
		Name:               "reco",
		ReadTimeout:        10 * time.Second,
		WriteTimeout:       10 * time.Second,
		IdleTimeout:        60 * time.Second,
		MaxRequestBodySize: cfg.MaxBodyBytes,
		// Bodies beyond the limit are streamed to the handler rather than
		// refused: the batch endpoint reads them line by line, the others
		// refuse what exceeds MaxBodyBytes themselves (readBody).
		StreamRequestBody:     true,
		ReadBufferSize:        16 << 10,
		NoDefaultDate:         true,
		NoDefaultServerHeader: true,
		Logger:                fasthttpLogger{cfg.Logger},
	}
	return s, nil
}

type fasthttpLogger struct{ l *slog.Logger }

func (f fasthttpLogger) Printf(format string, args ...any) { f.l.Debug(fmt.Sprintf(format, args...)) }

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.srv.Serve(ln) }

type routeCode struct {
	route string
	code  int
}

func (s *Server) requestCounter(route string, code int) *metrics.Counter {
	k := routeCode{route, code}
	if c, ok := s.requestsSeen.Load(k); ok {
		return c.(*metrics.Counter)
	}
	c := s.requests(route, code)
	s.requestsSeen.Store(k, c)
	return c
}

// Shutdown stops accepting connections and waits for open requests.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.ShutdownWithContext(ctx) }

// Handler returns the request handler (for tests and embedding).
func (s *Server) Handler() fasthttp.RequestHandler { return s.handle }

func (s *Server) handle(ctx *fasthttp.RequestCtx) {
	start := time.Now()
	route := routeNotFound
	defer func() {
		if p := recover(); p != nil {
			s.panics.Inc()
			s.cfg.Logger.Error("handler panic", "path", string(ctx.Path()), "panic", p)
			ctx.ResetBody()
			writeError(ctx, fasthttp.StatusInternalServerError, "internal error")
		}
		s.latency[route].Observe(time.Since(start).Seconds())
		s.requestCounter(route, ctx.Response.StatusCode()).Inc()
	}()
	// The path stays bytes: compared, not converted, on the hot routes.
	path := ctx.Path()
	method := string(ctx.Method())
	switch {
	case bytes.HasPrefix(path, []byte(recommendPrefix)):
		slot := slotName(path[len(recommendPrefix):])
		if slot == "batch" {
			route = routeBatch
			if s.method(ctx, method, "POST") && s.readAuthorized(ctx) {
				s.batch(ctx)
			}
			return
		}
		route = routeRecommend
		if !s.method(ctx, method, "GET") || !s.readAuthorized(ctx) {
			return
		}
		s.recommend(ctx, slot)
	case string(path) == "/v1/events":
		route = routeEvents
		if !s.method(ctx, method, "POST") || !s.authorized(ctx) {
			return
		}
		s.events(ctx)
	case bytes.HasPrefix(path, []byte("/v1/items/")):
		route = routeItem
		if s.method(ctx, method, "GET") && s.readAuthorized(ctx) {
			s.item(ctx, string(path[len("/v1/items/"):]))
		}
	case bytes.HasPrefix(path, []byte("/v1/users/")):
		route = routeUser
		if s.method(ctx, method, "GET") && s.readAuthorized(ctx) {
			s.user(ctx, string(path[len("/v1/users/"):]))
		}
	case string(path) == "/v1/stats":
		route = routeStats
		if s.method(ctx, method, "GET") && s.readAuthorized(ctx) {
			writeJSON(ctx, fasthttp.StatusOK, map[string]any{"variants": s.cfg.Engine.VariantReport()})
		}
	case string(path) == "/healthz":
		route = routeHealth
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString("ok\n")
	case string(path) == "/readyz":
		route = routeReady
		s.readyz(ctx)
	case string(path) == "/metrics":
		route = routeMetrics
		ctx.SetContentType("text/plain; version=0.0.4; charset=utf-8")
		s.cfg.Metrics.Expose(ctx)
	default:
		writeError(ctx, fasthttp.StatusNotFound, "no such endpoint: "+clip(string(path)))
	}
}

const recommendPrefix = "/v1/recommend/"

// slotName returns the slot named by b: the engine's constant for a known
// slot (no string allocated per request), else a copy of b.
func slotName(b []byte) string {
	for _, slot := range [...]string{engine.SlotFeed, engine.SlotCrossSell, engine.SlotSimilar,
		engine.SlotUpsell, engine.SlotBundle, engine.SlotReminders, "batch"} {
		if string(b) == slot {
			return slot
		}
	}
	return string(b)
}

func (s *Server) method(ctx *fasthttp.RequestCtx, got, want string) bool {
	if got == want || (want == "GET" && got == "HEAD") {
		return true
	}
	ctx.Response.Header.Set("Allow", want)
	writeError(ctx, fasthttp.StatusMethodNotAllowed, "use "+want)
	return false
}

// authorized checks the write API key when one is configured.
func (s *Server) authorized(ctx *fasthttp.RequestCtx) bool {
	if s.cfg.APIKey == "" || keyMatches(presentedKey(ctx), s.cfg.APIKey) {
		return true
	}
	writeError(ctx, fasthttp.StatusUnauthorized, "missing or wrong API key")
	return false
}

// readAuthorized checks the read API key (or the write key) when a read
// key is configured.
func (s *Server) readAuthorized(ctx *fasthttp.RequestCtx) bool {
	if s.cfg.ReadAPIKey == "" {
		return true
	}
	got := presentedKey(ctx)
	if keyMatches(got, s.cfg.ReadAPIKey) || (s.cfg.APIKey != "" && keyMatches(got, s.cfg.APIKey)) {
		return true
	}
	writeError(ctx, fasthttp.StatusUnauthorized, "missing or wrong API key")
	return false
}

func presentedKey(ctx *fasthttp.RequestCtx) []byte {
	if got := ctx.Request.Header.Peek("X-API-Key"); len(got) > 0 {
		return got
	}
	auth := ctx.Request.Header.Peek("Authorization")
	if len(auth) > 7 && strings.EqualFold(string(auth[:7]), "bearer ") {
		return auth[7:]
	}
	return nil
}

// keyMatches compares in constant time, so that response timing does not
// reveal how much of a guessed key was right.
func keyMatches(got []byte, want string) bool {
	return subtle.ConstantTimeCompare(got, []byte(want)) == 1
}

func (s *Server) readyz(ctx *fasthttp.RequestCtx) {
	ok, reason := true, ""
	if s.cfg.Ready != nil {
		ok, reason = s.cfg.Ready()
	}
	if !ok {
		writeJSON(ctx, fasthttp.StatusServiceUnavailable, map[string]any{"ready": false, "reason": reason})
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, map[string]any{"ready": true})
}

func (s *Server) item(ctx *fasthttp.RequestCtx, id string) {
	info, ok := s.cfg.Engine.ItemInfo(id)
	if !ok {
		writeError(ctx, fasthttp.StatusNotFound, "unknown item "+strconv.Quote(clip(id)))
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, info)
}

func (s *Server) user(ctx *fasthttp.RequestCtx, id string) {
	info, ok := s.cfg.Engine.UserInfo(id)
	if !ok {
		writeError(ctx, fasthttp.StatusNotFound, "unknown user "+strconv.Quote(clip(id)))
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, info)
}

func writeJSON(ctx *fasthttp.RequestCtx, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = fasthttp.StatusInternalServerError, []byte(`{"error":"encoding response"}`)
	}
	ctx.SetStatusCode(code)
	ctx.SetContentType("application/json")
	ctx.SetBody(append(b, '\n'))
}

func writeError(ctx *fasthttp.RequestCtx, code int, msg string) {
	writeJSON(ctx, code, map[string]string{"error": msg})
}

// clip shortens user input quoted back in an error.
func clip(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strings.ToValidUTF8(s, "�")
}
