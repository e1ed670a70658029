package features

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// contentDims is the size of the hashed feature space. 2^18 keeps
// collisions rare for catalogs of a few hundred thousand distinct tokens
// while the per-dimension arrays stay a few megabytes.
const contentDims = 1 << 18

// Content is the content-based index of the catalog: each item is a sparse
// vector of hashed features (title tokens, every level of its category
// path, tags, brand, attributes and a price band) weighted by inverse
// document frequency, with an inverted index from feature to items so that
// a profile can be scored against the whole catalog by touching only the
// items that share a feature with it.
type Content struct {
	itemFeats [][]uint32 // per item: distinct feature dims
	invNorm   []float32  // per item: 1 / L2 norm of its idf-weighted vector at last update, 0 without features (scoring multiplies)
	dims      []contentDim
	items     int // items with at least one feature
	// idfItems is the item count the idfs were last all recomputed at:
	// they are recomputed when the catalog has grown by a tenth since.
	idfItems int
	version  uint64 // changes made (Set, Remove): Version
}

// contentDim is everything a query reads about one feature dim, side by
// side: one cache miss per profile feature instead of three.
type contentDim struct {
	postings []Posting // items having the dim: len is its document frequency
	// idf is kept up to date for the dims an update touches and within a
	// tenth of the catalog's growth for the others: queries read it
	// instead of taking a logarithm per feature.
	idf float32
}

// Posting is an item having a feature, with the item's InvNorm beside it:
// scoring multiplies by it for every posting, and a lookup per posting in
// a separate array cost a fifth of content scoring.
type Posting struct {
	Item    ItemID
	InvNorm float32
}

// NewContent returns an empty content index.
func NewContent() *Content {
	return &Content{dims: make([]contentDim, contentDims)}
}

func (c *Content) idfOf(f uint32) float32 {
	return float32(math.Log(1 + float64(c.items)/float64(1+len(c.dims[f].postings))))
}

// refreshIDF recomputes the IDF of every dim in use (a dim no item has is
// never looked up: it is set when its first item arrives).
func (c *Content) refreshIDF() {
	for f := range c.dims {
		if len(c.dims[f].postings) > 0 {
			c.dims[f].idf = c.idfOf(uint32(f))
		}
	}
	c.idfItems = c.items
}

// Set replaces the content features of item id with those of it.
func (c *Content) Set(id ItemID, it *Item) {
	c.version++
	for int(id) >= len(c.itemFeats) {
		c.itemFeats = append(c.itemFeats, nil)
		c.invNorm = append(c.invNorm, 0)
	}
	old := c.itemFeats[id]
	for _, f := range old {
		d := &c.dims[f]
		d.postings = removePosting(d.postings, id)
		d.idf = c.idfOf(f)
	}
	if len(old) > 0 {
		c.items--
	}
	feats := ItemFeatures(it, old[:0])
	c.itemFeats[id] = feats
	if len(feats) == 0 {
		c.invNorm[id] = 0
		return
	}
	c.items++
	if d := c.items - c.idfItems; d*10 > c.idfItems || -d*10 > c.idfItems {
		c.refreshIDF()
	}
	// The item's postings go in first (their idf counts the item), its
	// norm, which needs those idfs, into them after.
	for _, f := range feats {
		d := &c.dims[f]
		d.postings = append(d.postings, Posting{Item: id})
		d.idf = c.idfOf(f)
	}
	var sq float64
	for _, f := range feats {
		w := c.IDF(f)
		sq += w * w
	}
	inv := 1 / float32(math.Sqrt(sq))
	c.invNorm[id] = inv
	for _, f := range feats {
		post := c.dims[f].postings
		post[len(post)-1].InvNorm = inv
	}
}

// Remove drops item id from the index.
func (c *Content) Remove(id ItemID) {
	if int(id) < len(c.itemFeats) {
		c.Set(id, &Item{})
	}
}

// Version counts the index's changes: what is derived from it (the
// content neighbours of light queries) knows by it whether it is current.
func (c *Content) Version() uint64 { return c.version }

// Len returns one more than the largest item id the index has seen: the
// size of a Scores that can hold any of its items.
func (c *Content) Len() int { return len(c.itemFeats) }

// IDF returns the inverse document frequency of feature dim f,
// log(1 + items / (1 + df)), as of the last update of a dim's items or
// within a tenth of the catalog's growth since.
func (c *Content) IDF(f uint32) float64 {
	return float64(c.dims[f].idf)
}

// Features returns the feature dims of item id (nil if it has none).
func (c *Content) Features(id ItemID) []uint32 {
	if int(id) >= len(c.itemFeats) {
		return nil
	}
	return c.itemFeats[id]
}

// InvNorm returns 1 / the L2 norm of item id's idf-weighted vector, 0 for
// an item without features.
func (c *Content) InvNorm(id ItemID) float32 {
	if int(id) >= len(c.invNorm) {
		return 0
	}
	return c.invNorm[id]
}

// Postings returns the items having feature dim f. The slice must not be
// modified.
func (c *Content) Postings(f uint32) []Posting { return c.dims[f].postings }

// Dim returns the postings and the IDF of feature dim f together (one
// memory access for both).
func (c *Content) Dim(f uint32) ([]Posting, float64) {
	d := &c.dims[f]
	return d.postings, float64(d.idf)
}

func removePosting(s []Posting, id ItemID) []Posting {
	for i, x := range s {
		if x.Item == id {
			s[i] = s[len(s)-1]
			return s[:len(s)-1]
		}
	}
	return s
}

// ItemFeatures appends the distinct hashed feature dims of it to dst.
func ItemFeatures(it *Item, dst []uint32) []uint32 {
	add := func(prefix, s string) {
		f := hashFeature(prefix, s)
		for _, x := range dst {
			if x == f {
				return
			}
		}
		dst = append(dst, f)
	}
	for _, tok := range strings.FieldsFunc(strings.ToLower(it.Title), notWordRune) {
		if len(tok) >= 2 {
			add("t:", tok)
		}
	}
	for _, c := range it.Categories {
		// "shoes/running" contributes "shoes" and "shoes/running", so a
		// leaf category still shares a feature with its siblings.
		for i := 0; i < len(c); i++ {
			if c[i] == '/' {
				add("c:", strings.ToLower(c[:i]))
			}
		}
		add("c:", strings.ToLower(c))
	}
	for _, t := range it.Tags {
		add("g:", strings.ToLower(t))
	}
	if it.Brand != "" {
		add("b:", strings.ToLower(it.Brand))
	}
	for k, v := range it.Attrs {
		add("a:", strings.ToLower(k+"="+v))
	}
	if it.Price > 0 {
		// Price bands are powers of 1.5: close prices share a band.
		add("p:", strconv.Itoa(int(math.Log(it.Price)/math.Log(1.5))))
	}
	return dst
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// hashFeature is FNV-1a over prefix+s, reduced to the feature space.
func hashFeature(prefix, s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(prefix); i++ {
		h ^= uint32(prefix[i])
		h *= 16777619
	}
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h & (contentDims - 1)
}

// CategoryFeature returns the feature dim of category c: its postings are
// the items in c (or, rarely, in a category hashing to the same dim:
// callers compare the category again).
func CategoryFeature(c string) uint32 { return hashFeature("c:", strings.ToLower(c)) }
