// Package metrics is a small Prometheus text-format exposition: counters,
// gauges read from a function, and fixed-bucket histograms, all lock-free
// on the update path. It exists because the full client library would be
// the largest dependency of the binary for a handful of series.
package metrics

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds named series and writes them in the Prometheus text format.
type Registry struct {
	mu     sync.Mutex
	series map[string]series // by full name including labels
	help   map[string]string // by family name
	kind   map[string]string
}

type series interface {
	write(w io.Writer, name string)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{series: map[string]series{}, help: map[string]string{}, kind: map[string]string{}}
}

func (r *Registry) register(family, labels, help, kind string, s series) series {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := family
	if labels != "" {
		name += "{" + labels + "}"
	}
	if old, ok := r.series[name]; ok {
		return old
	}
	r.series[name] = s
	r.help[family], r.kind[family] = help, kind
	return s
}

// Label formats one label pair for the labels arguments, escaping the value.
func Label(name, value string) string {
	return name + "=" + strconv.Quote(value)
}

// Counter is a monotonically increasing count.
type Counter struct{ v atomic.Uint64 }

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Load returns the current value.
func (c *Counter) Load() uint64 { return c.v.Load() }

func (c *Counter) write(w io.Writer, name string) { fmt.Fprintf(w, "%s %d\n", name, c.v.Load()) }

// Counter returns the counter family{labels}, creating it on first use.
// labels is "" or comma-separated Label pairs.
func (r *Registry) Counter(family, labels, help string) *Counter {
	return r.register(family, labels, help, "counter", &Counter{}).(*Counter)
}

type gaugeFunc func() float64

func (g gaugeFunc) write(w io.Writer, name string) {
	fmt.Fprintf(w, "%s %s\n", name, strconv.FormatFloat(g(), 'g', -1, 64))
}

// GaugeFunc registers a gauge whose value is read from fn at scrape time.
func (r *Registry) GaugeFunc(family, labels, help string, fn func() float64) {
	r.register(family, labels, help, "gauge", gaugeFunc(fn))
}

// CounterFunc registers a counter whose value is read from fn at scrape time.
func (r *Registry) CounterFunc(family, labels, help string, fn func() float64) {
	r.register(family, labels, help, "counter", gaugeFunc(fn))
}

// Histogram counts observations into fixed buckets.
type Histogram struct {
	bounds []float64
	counts []atomic.Uint64 // len(bounds)+1, the last is +Inf
	sum    atomic.Uint64   // float64 bits
	count  atomic.Uint64
}

// Observe records v.
func (h *Histogram) Observe(v float64) {
	i := sort.SearchFloat64s(h.bounds, v)
	h.counts[i].Add(1)
	h.count.Add(1)
	for {
		old := h.sum.Load()
		if h.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

func (h *Histogram) write(w io.Writer, name string) {
	family, labels := name, ""
	if i := strings.IndexByte(name, '{'); i >= 0 {
		family, labels = name[:i], name[i+1:len(name)-1]+","
	}
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i].Load()
		fmt.Fprintf(w, "%s_bucket{%sle=\"%g\"} %d\n", family, labels, b, cum)
	}
	cum += h.counts[len(h.bounds)].Load()
	fmt.Fprintf(w, "%s_bucket{%sle=\"+Inf\"} %d\n", family, labels, cum)
	suffix := ""
	if labels != "" {
		suffix = "{" + strings.TrimSuffix(labels, ",") + "}"
	}
	fmt.Fprintf(w, "%s_sum%s %g\n", family, suffix, math.Float64frombits(h.sum.Load()))
	fmt.Fprintf(w, "%s_count%s %d\n", family, suffix, h.count.Load())
}

// Histogram returns the histogram family{labels} with the given upper
// bounds (sorted ascending), creating it on first use.
func (r *Registry) Histogram(family, labels, help string, bounds []float64) *Histogram {
	h := &Histogram{bounds: slices.Clone(bounds), counts: make([]atomic.Uint64, len(bounds)+1)}
	return r.register(family, labels, help, "histogram", h).(*Histogram)
}

// Expose writes every series in the Prometheus text format, families in
// name order.
func (r *Registry) Expose(w io.Writer) {
	r.mu.Lock()
	names := make([]string, 0, len(r.series))
	for n := range r.series {
		names = append(names, n)
	}
	all := make(map[string]series, len(r.series))
	for k, v := range r.series {
		all[k] = v
	}
	help, kind := r.help, r.kind
	r.mu.Unlock()
	slices.Sort(names)
	lastFamily := ""
	for _, n := range names {
		family := n
		if i := strings.IndexByte(n, '{'); i >= 0 {
			family = n[:i]
		}
		if family != lastFamily {
			r.mu.Lock()
			fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", family, help[family], family, kind[family])
			r.mu.Unlock()
			lastFamily = family
		}
		all[n].write(w, n)
	}
}
