package bench

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// LoadMovieLens loads a MovieLens directory (or a ratings file inside
// one): u.data + u.item + u.genre (100K), or ratings.csv + movies.csv
// (the newer releases). Item metadata is optional.
func LoadMovieLens(path string) (*Dataset, error) {
	dir := path
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("movielens: %w", err)
	} else if !st.IsDir() {
		dir = filepath.Dir(path)
	}
	ds := &Dataset{Name: filepath.Base(dir), HasRating: true}
	switch {
	case exists(filepath.Join(dir, "u.data")):
		if err := loadUData(filepath.Join(dir, "u.data"), ds); err != nil {
			return nil, err
		}
		if exists(filepath.Join(dir, "u.item")) {
			if err := loadUItem(dir, ds); err != nil {
				return nil, err
			}
		}
	case exists(filepath.Join(dir, "ratings.csv")):
		if err := loadRatingsCSV(filepath.Join(dir, "ratings.csv"), ds); err != nil {
			return nil, err
		}
		if exists(filepath.Join(dir, "movies.csv")) {
			if err := loadMoviesCSV(filepath.Join(dir, "movies.csv"), ds); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("movielens: %s has neither u.data nor ratings.csv", dir)
	}
	return ds, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func loadUData(p string, ds *Dataset) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("movielens: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 {
			continue
		}
		if len(fs) != 4 {
			return fmt.Errorf("movielens: %s:%d: want 4 fields (user item rating ts), got %d", p, line, len(fs))
		}
		r, err1 := strconv.ParseFloat(fs[2], 64)
		ts, err2 := strconv.ParseInt(fs[3], 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("movielens: %s:%d: %w", p, line, err)
		}
		ds.Rows = append(ds.Rows, Row{User: fs[0], Item: fs[1], Rating: r, TS: ts * 1000, Type: "rate"})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("movielens: reading %s: %w", p, err)
	}
	return nil
}

func loadUItem(dir string, ds *Dataset) error {
	genres := map[int]string{}
	if b, err := os.ReadFile(filepath.Join(dir, "u.genre")); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			name, idx, ok := strings.Cut(strings.TrimSpace(l), "|")
			if !ok {
				continue
			}
			if i, err := strconv.Atoi(idx); err == nil {
				genres[i] = name
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "u.item"))
	if err != nil {
		return fmt.Errorf("movielens: %w", err)
	}
	for n, l := range strings.Split(latin1ToUTF8(b), "\n") {
		fs := strings.Split(strings.TrimRight(l, "\r"), "|")
		if len(fs) < 5 {
			continue
		}
		meta := ItemMeta{Item: fs[0], Title: fs[1]}
		for i, flag := range fs[5:] {
			if flag == "1" {
				g := genres[i]
				if g == "" {
					g = "genre" + strconv.Itoa(i)
				}
				meta.Categories = append(meta.Categories, g)
			}
		}
		if meta.Item == "" {
			return fmt.Errorf("movielens: u.item line %d has no id", n+1)
		}
		ds.Items = append(ds.Items, meta)
	}
	return nil
}

// latin1ToUTF8 returns b as a string, decoding it as Latin-1 when it is
// not valid UTF-8 (u.item of MovieLens 100K is Latin-1).
func latin1ToUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

func loadRatingsCSV(p string, ds *Dataset) error {
	return readCSV(p, func(h map[string]int, rec []string, line int) error {
		get := func(k string) string { return rec[h[k]] }
		for _, k := range []string{"userId", "movieId", "rating", "timestamp"} {
			if _, ok := h[k]; !ok {
				return fmt.Errorf("header lacks %q", k)
			}
		}
		r, err1 := strconv.ParseFloat(get("rating"), 64)
		ts, err2 := strconv.ParseInt(get("timestamp"), 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		ds.Rows = append(ds.Rows, Row{User: get("userId"), Item: get("movieId"), Rating: r, TS: ts * 1000, Type: "rate"})
		return nil
	})
}

func loadMoviesCSV(p string, ds *Dataset) error {
	return readCSV(p, func(h map[string]int, rec []string, line int) error {
		id, ok1 := h["movieId"]
		title, ok2 := h["title"]
		genres, ok3 := h["genres"]
		if !ok1 || !ok2 || !ok3 {
			return fmt.Errorf("header must have movieId,title,genres")
		}
		meta := ItemMeta{Item: rec[id], Title: rec[title]}
		for _, g := range strings.Split(rec[genres], "|") {
			if g != "" && g != "(no genres listed)" {
				meta.Categories = append(meta.Categories, g)
			}
		}
		ds.Items = append(ds.Items, meta)
		return nil
	})
}

// readCSV calls fn for every record of a CSV file with a header, with the
// header's column positions.
func readCSV(p string, fn func(header map[string]int, rec []string, line int) error) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("csv: %s: reading header: %w", p, err)
	}
	h := map[string]int{}
	for i, k := range head {
		h[strings.TrimSpace(strings.TrimPrefix(k, "\ufeff"))] = i
	}
	line := 1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		line++
		if err != nil {
			return fmt.Errorf("csv: %s: %w", p, err)
		}
		if len(rec) != len(head) {
			return fmt.Errorf("csv: %s:%d: %d fields, header has %d", p, line, len(rec), len(head))
		}
		if err := fn(h, rec, line); err != nil {
			return fmt.Errorf("csv: %s:%d: %w", p, line, err)
		}
	}
}
