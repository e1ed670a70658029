package bench

import (
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadMovieLens100K(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "u.data", "1\t10\t5\t881250949\n2\t10\t3\t881250950\n")
	write(t, dir, "u.genre", "unknown|0\nAction|1\nComedy|2\n")
	// Latin-1 title, as in the real file.
	write(t, dir, "u.item", "10|Caf\xe9 Story (1995)|01-Jan-1995||http://x|0|1|1\n")
	ds, err := LoadMovieLens(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Rows) != 2 || ds.Rows[0].TS != 881250949000 || ds.Rows[0].Rating != 5 || !ds.HasRating {
		t.Fatalf("rows = %+v", ds.Rows)
	}
	if len(ds.Items) != 1 || ds.Items[0].Title != "Café Story (1995)" || len(ds.Items[0].Categories) != 2 || ds.Items[0].Categories[0] != "Action" {
		t.Fatalf("items = %+v", ds.Items)
	}
}

func TestLoadMovieLensCSV(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "ratings.csv", "userId,movieId,rating,timestamp\n1,7,4.5,1000\n")
	write(t, dir, "movies.csv", "movieId,title,genres\n7,\"Heat, The (1995)\",Action|Crime\n")
	ds, err := LoadMovieLens(filepath.Join(dir, "ratings.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Rows) != 1 || ds.Rows[0].Item != "7" || ds.Rows[0].Rating != 4.5 {
		t.Fatalf("rows = %+v", ds.Rows)
	}
	if ds.Items[0].Title != "Heat, The (1995)" || len(ds.Items[0].Categories) != 2 {
		t.Fatalf("items = %+v", ds.Items)
	}
}

func TestLoadCSV(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "events.csv", "user,item,ts,type,price\nu1,i1,1700000000,view,\nu1,i2,1700000001000,purchase,9.5\n")
	ds, err := LoadCSV(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Rows) != 2 || ds.HasRating || ds.Rows[0].TS != 1700000000000 || ds.Rows[1].TS != 1700000001000 ||
		ds.Rows[0].Type != "view" || ds.Rows[1].Price != 9.5 {
		t.Fatalf("rows = %+v", ds.Rows)
	}
	bad := write(t, dir, "bad.csv", "customer,product\na,b\n")
	if _, err := LoadCSV(bad); err == nil {
		t.Fatal("a CSV without user and item columns loaded")
	}
}

func TestLoadBaskets(t *testing.T) {
	p := write(t, t.TempDir(), "b.txt", "a, b,c\n\nd,d\n")
	ds, err := LoadBaskets(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Baskets) != 2 || len(ds.Baskets[0]) != 3 || len(ds.Baskets[1]) != 1 {
		t.Fatalf("baskets = %v (blank lines skipped, duplicates in a basket merged)", ds.Baskets)
	}
}
