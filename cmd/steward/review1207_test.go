package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/steward-crm/steward/internal/pgtest"
)

// TestCompareFileVersions: compare -file keeps of a key's versions the one ingest keeps
// (the newest by updated_at, whatever the line order; a withdrawal withdraws), as the
// warehouse's compare of the same file ingested does. It took the last line of a key: an
// older version written after the newer one, or the "op": "delete" line of a withdrawn
// record (scored as an empty record), was compared instead.
func TestCompareFileVersions(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "v.jsonl")
	lines := `{"source":"crm","source_id":"a:b","updated_at":"2026-01-02T10:00:00Z","given_name":"Zoltan","family_name":"Quibble","emails":["zq@example.org"]}
{"source":"erp","source_id":"7","updated_at":"2026-01-01T10:00:00Z","given_name":"Zoltan","family_name":"Quibble","emails":["zq@example.org"]}
{"source":"erp","source_id":"7","updated_at":"2025-01-01T10:00:00Z","given_name":"Marguerite","family_name":"Ostrander","emails":["mo@example.net"]}
{"source":"erp","source_id":"8","updated_at":"2026-01-01T10:00:00Z","given_name":"Zoltan","family_name":"Quibble","emails":["zq@example.org"]}
{"source":"erp","source_id":"8","updated_at":"2026-02-01T10:00:00Z","op":"delete"}
{"source":"erp","source_id":"9","updated_at":"2026-02-01T10:00:00Z","op":"delete"}
{"source":"erp","source_id":"10","updated_at":"2026-01-01T10:00:00Z","given_name":"Zoltan","family_name":"Quibble","emails":["zq@example.org"]}
{"source":"erp","source_id":"10","updated_at":"2026-02-01T10:00:00Z","op":"delete"}
{"source":"erp","source_id":"10","updated_at":"2026-01-15T10:00:00Z","given_name":"Marguerite","family_name":"Ostrander","emails":["mo@example.net"]}
{"source":"erp","source_id":"11","updated_at":"2026-01-01T10:00:00Z","given_name":"Marguerite","family_name":"Ostrander","emails":["mo@example.net"]}
{"source":"erp","source_id":"11","given_name":"Zoltan","family_name":"Quibble","emails":["zq@example.org"]}
`
	if err := os.WriteFile(in, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.db")
	if code, out, errs := steward(t, "", "ingest", "-db", db, "-q", in); code != 0 {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	for _, tc := range []struct {
		key  string
		want string // in stdout (exit 0), or in stderr (exit 1)
		code int
	}{
		{"erp:7", `"zoltan" ~ "zoltan"`, 0},  // the older version, written after, is stale
		{"erp:11", `"zoltan" ~ "zoltan"`, 0}, // a version without updated_at replaces
		{"erp:8", "erp:8: withdrawn", 1},     // withdrawn after its version
		{"erp:10", "erp:10: withdrawn", 1},   // an older version after the withdrawal is stale
		{"erp:9", "erp:9: withdrawn", 1},     // a withdrawal of a record never stored is kept
	} {
		for _, src := range [][]string{{"-db", db}, {"-file", in}} {
			args := append(append([]string{"compare"}, src...), "crm:a:b", tc.key)
			code, out, errs := steward(t, "", args...)
			got := out
			if tc.code != 0 {
				got = errs
			}
			if code != tc.code || !strings.Contains(got, tc.want) {
				t.Errorf("%v: exit %d, want %d and %q:\n%s%s", args, code, tc.code, tc.want, out, errs)
			}
		}
	}
}

// TestCompareDoesNotWaitForWriter: compare reads the warehouse without taking SQLite's
// write lock (as review and stats read): it began a write transaction (BEGIN IMMEDIATE)
// to read two rows, so that it waited for an ingest's transaction to end, up to the busy
// timeout, and failed on a file it may only read.
func TestCompareDoesNotWaitForWriter(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "p.jsonl")
	if err := os.WriteFile(in, []byte(`{"source":"crm","source_id":"1","given_name":"Zoltan","family_name":"Quibble","emails":["zq@example.org"]}
{"source":"shop","source_id":"2","given_name":"Zoltan","family_name":"Quibble","emails":["zq@example.org"]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.db")
	if code, out, errs := steward(t, "", "ingest", "-db", db, "-q", in); code != 0 {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	// Another process's writer holds the write lock meanwhile.
	other, err := sql.Open("sqlite", "file:"+(&url.URL{Path: db}).EscapedPath()+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	hold, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.Exec(`UPDATE source_records SET position = position WHERE 0`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var out, errb strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	start := time.Now()
	code := run(ctx, []string{"compare", "-db", db, "-json", "crm:1", "shop:2"}, e)
	if code != 0 || time.Since(start) > 2*time.Second {
		t.Fatalf("compare while a writer holds the lock: exit %d after %v\n%s", code, time.Since(start), errb.String())
	}
	var c comparison
	if err := json.Unmarshal([]byte(out.String()), &c); err != nil || c.Decision != "link" || c.Masters == nil || c.Masters[0] != c.Masters[1] {
		t.Errorf("compare: %+v, %v\n%s", c, err, out.String())
	}
}

// TestLinkBFlagsInheritA: a -*-b flag replaces only its own flag of A's for file B: B
// is still read with A's -map (and the rest) when -source-b or -date-order-b alone is
// set. Any one of them dropped all of A's input flags for B, whose columns were then
// kept in attributes (the names not compared, nothing linked, a notice the only word).
func TestLinkBFlagsInheritA(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	if err := os.WriteFile(a, []byte("Vorname,Nachname,Mail,Nr,Geaendert,entity\n"+
		"Zoltan,Quibble,zq@example.org,1,13/12/2026 10:00,E1\nMarguerite,Ostrander,mo@example.net,2,14/12/2026 10:00,E2\nHugo,Blanc,hb@example.com,3,15/12/2026 10:00,E3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte("Vorname,Nachname,Mail,Nr,Geaendert,entity\n"+
		"Zoltan,Quibble,zq@example.org,9,12/13/2026 10:00,E1\nMarguerite,Ostrander,mo@example.net,8,12/14/2026 10:00,E2\nLea,Roux,lr@example.com,7,12/15/2026 10:00,E4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := "Vorname=given_name,Nachname=family_name,Mail=email,Nr=source_id,Geaendert=updated_at"
	mdyMap := filepath.Join(dir, "b.yaml")
	if err := os.WriteFile(mdyMap, []byte("date_order: mdy\ncolumns:\n  Vorname: given_name\n  Nachname: family_name\n  Mail: email\n  Nr: source_id\n  Geaendert: updated_at\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		b    string
	}{
		{"-date-order-b alone", []string{"-map", m, "-date-order", "dmy", "-date-order-b", "mdy"}, b},
		{"-source-b alone", []string{"-map", m, "-date-order", "dmy", "-source-b", "shop"}, a},
		// B's mapping file's date_order is B's: A's -date-order does not override it.
		{"-map-b with date_order", []string{"-map", m, "-date-order", "dmy", "-map-b", mdyMap}, b},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"link", "-train", "never", "-truth", "entity", "-thresholds", "none"}, tc.args...)
			code, stdout, errs := steward(t, "", append(args, a, tc.b)...)
			if code != 0 || !strings.Contains(errs, "6 records (0 rejected)") || !strings.Contains(stdout, "recall 1.0000") {
				t.Errorf("exit %d\n%s\n%s", code, stdout, errs)
			}
			if strings.Contains(errs, "columns kept in attributes") {
				t.Errorf("B's columns not mapped:\n%s", errs)
			}
		})
	}
}

// TestCompareReadOnlyRolePostgres: compare reads a PostgreSQL warehouse as a role that
// may only read it (SELECT on its tables), as review and stats do.
func TestCompareReadOnlyRolePostgres(t *testing.T) {
	u := pgtest.URL(t)
	in := filepath.Join(t.TempDir(), "p.jsonl")
	if err := os.WriteFile(in, []byte(`{"source":"crm","source_id":"a:b","given_name":"Zoltan","family_name":"Quibble","emails":["zq@example.org"]}
{"source":"shop","source_id":"2","given_name":"Zoltan","family_name":"Quibble","emails":["zq@example.org"]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := steward(t, "", "ingest", "-db", u, "-q", in); code != 0 {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	role := fmt.Sprintf("steward_cmp_reader_%d", time.Now().UnixNano())
	for _, q := range []string{
		`CREATE ROLE ` + role + ` LOGIN PASSWORD 'reader-pw'`,
		`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ` + role,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		db.Exec(`DROP OWNED BY ` + role)
		db.Exec(`DROP ROLE ` + role)
	})
	ro, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	ro.User = url.UserPassword(role, "reader-pw")
	code, out, errs := steward(t, "", "compare", "-db", ro.String(), "crm:a:b", "shop:2")
	if code != 0 || !strings.Contains(out, ": link (") || !strings.Contains(out, "warehouse: both in master ") {
		t.Errorf("compare as a reader: exit %d\n%s\n%s", code, out, errs)
	}
}

// TestReviewExplainWithJSON: review -explain -json is a usage error (README: "[-json|-explain]"):
// the JSON was printed and -explain ignored without a word.
func TestReviewExplainWithJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	if code, _, errs := steward(t, "", "migrate", "-db", db); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, errs)
	}
	if code, _, errs := steward(t, "", "review", "-db", db, "-explain", "-json"); code != 2 || !strings.Contains(errs, "-explain with -json") {
		t.Errorf("review -explain -json: exit %d, want 2 naming both flags\n%s", code, errs)
	}
	if code, _, errs := steward(t, "", "review", "-db", db, "-explain"); code != 0 {
		t.Errorf("review -explain: exit %d\n%s", code, errs)
	}
}

// TestDateOrderFlagOverridesMappingFile: README: a mapping file's date_order: is
// overridden by -date-order.
func TestDateOrderFlagOverridesMappingFile(t *testing.T) {
	dir := t.TempDir()
	in, m := filepath.Join(dir, "e.csv"), filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(in, []byte("source,source_id,updated_at,given_name\ncrm,1,31/12/2026 9:05,Zoltan\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m, []byte("date_order: mdy\ncolumns: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := steward(t, "", "normalize", "-map", m, in); code != 0 || !strings.Contains(out, "not an RFC 3339 time nor a mdy date") {
		t.Errorf("the file's mdy: exit %d\n%s", code, out)
	}
	if code, out, errs := steward(t, "", "normalize", "-map", m, "-date-order", "dmy", in); code != 0 || !strings.Contains(out, `"updated_at":"2026-12-31T09:05:00Z"`) {
		t.Errorf("-date-order dmy over the file's mdy: exit %d\n%s%s", code, out, errs)
	}
}
