package features

// A small catalog's co-occurrences are kept in one dense matrix instead
// of a hash row per item. While the catalog has at most maxRow items, no
// row can outgrow maxRow, so nothing is ever pruned and a row of every
// item fits: the demo's 288 items take 288 × 288 float32, 331 KB, where
// the hash rows (each kept at most three quarters full, in powers of two)
// took 1.2 MB. The matrix mostly stays in a CPU's 1 MiB L2 cache; the rows
// did not, and the pair worker, which adds 2 × CoOccurrenceWindow pairs per
// interaction, waited on their misses: it was a fifth of the server's CPU
// replaying the demo's stream (docs/performance.md, Freshness, Session 24).
// An update is also one add at a computed index, with no probing.
//
// The first item beyond maxRow turns the table sparse for good (toSparse):
// a matrix of a large catalog would be mostly zeros, and its rows would
// need pruning. Everything else about the table — occurrences, versions,
// bounds, the counts of partners — is kept in the rows in both forms.
//
// A pair whose weight is exactly 0 is absent from the matrix; the hash rows
// keep such an entry. Weights are products of positive event weights and
// boosts, so only a pair whose weights cancel out, or one that underflows
// after decaying for many years untouched, would differ.

// denseMinStride is the matrix's first size: growing it copies it, so it
// starts with room for some items.
const denseMinStride = 64

// growDense makes room in the matrix for every row, or turns the table
// sparse once there are more rows than maxRow.
func (c *CoOccurrence) growDense() {
	n := len(c.rows)
	if n > c.maxRow {
		c.toSparse()
		return
	}
	if n <= c.stride {
		return
	}
	stride := min(max(2*c.stride, n, denseMinStride), c.maxRow)
	m := make([]float32, stride*stride)
	for a := range c.stride {
		copy(m[a*stride:a*stride+c.stride], c.dense[a*c.stride:(a+1)*c.stride])
	}
	c.dense, c.stride = m, stride
}

// addDense is addHalf for the matrix, once grow has made room for both
// a and b.
func (c *CoOccurrence) addDense(row *coRow, a, b ItemID, w float32) {
	v := &c.dense[int(a)*c.stride+int(b)]
	was := *v
	*v += w
	switch {
	case was == 0 && *v != 0:
		row.n++
	case was != 0 && *v == 0:
		row.n--
	}
	row.bound = max(row.bound, *v)
	row.version++
}

// scaleDense multiplies the matrix by f (rescale). A weight that
// underflows to 0 leaves its row, as one added to 0 does.
func (c *CoOccurrence) scaleDense(f float32) {
	for i, w := range c.dense {
		if w == 0 {
			continue
		}
		c.dense[i] = w * f
		if c.dense[i] == 0 {
			c.rows[i/c.stride].n--
		}
	}
}

// eachDense is EachPartner for the matrix: partners in id order.
func (c *CoOccurrence) eachDense(a ItemID, fn func(b ItemID, w float32)) {
	// Only the first len(c.rows) columns can hold a weight: the matrix
	// grows by doubling, and the rest of a row is room.
	start := int(a) * c.stride
	for b, w := range c.dense[start : start+len(c.rows)] {
		if w != 0 {
			fn(ItemID(b), w)
		}
	}
}

// forgetDense is Forget for the matrix.
func (c *CoOccurrence) forgetDense(a ItemID) {
	row := c.dense[int(a)*c.stride : int(a)*c.stride+len(c.rows)]
	for b, w := range row {
		if w == 0 {
			continue
		}
		if col := &c.dense[b*c.stride+int(a)]; *col != 0 {
			*col = 0
			c.rows[b].n--
		}
		c.rows[b].version++
	}
	clear(row)
	c.rows[a] = coRow{version: c.rows[a].version + 1}
}

// toSparse moves the matrix's weights into the rows' hash maps and
// drops the matrix: the table stays sparse from then on.
func (c *CoOccurrence) toSparse() {
	c.sparse = true
	dense, stride := c.dense, c.stride
	c.dense, c.stride = nil, 0
	for a := 0; a < stride && a < len(c.rows); a++ {
		row := &c.rows[a]
		bound := row.bound
		row.n = 0
		for b, w := range dense[a*stride : (a+1)*stride] {
			if w != 0 {
				row.add(ItemID(b), w, &c.pool)
			}
		}
		row.bound = bound
	}
}

// toDense moves a sparse table of at most maxRow rows into a matrix, as
// ImportCoOccurrence builds it; it is a no-op for a larger one, which
// stays sparse.
func (c *CoOccurrence) toDense() {
	n := len(c.rows)
	for a := range c.rows {
		c.rows[a].each(func(b ItemID, _ float32) { n = max(n, int(b)+1) })
	}
	c.sparse = n > c.maxRow
	if c.sparse || n == 0 {
		return
	}
	for len(c.rows) < n {
		c.rows = append(c.rows, coRow{})
	}
	c.growDense()
	for a := range c.rows {
		row := &c.rows[a]
		kept := int32(0)
		row.each(func(b ItemID, w float32) {
			if w != 0 {
				c.dense[a*c.stride+int(b)] = w
				kept++
			}
		})
		row.partners = partners{n: kept, bound: row.bound}
	}
}
