package registry_test

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestReview3SameSizeChangedFileReimported: a mapped file whose row changes without
// changing the file's size (an establishment closed: "0" becomes "1", "A" becomes "F"
// in SIRENE's état) was reported already imported on the next run and the change was
// lost without a word: a completed checkpoint is matched on path, format and size only.
// The checkpoint now holds the file's modification time too (migration 17).
func TestReview3SameSizeChangedFileReimported(t *testing.T) {
	st := openSQLite(t)
	im := importer(st)
	p := writeRegistryFile(t, "name,siret,closed\nACME,73282932000074,0\n")
	if _, err := im.Import(context.Background(), p, "csv"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("name,siret,closed\nACME,73282932000074,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Edited a second later (file times can be coarser than the test is quick).
	later := time.Now().Add(time.Second)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	sum, err := im.Import(context.Background(), p, "csv")
	if err != nil {
		t.Fatal(err)
	}
	c, ok, err := st.CompanyByKey(context.Background(), "73282932000074")
	if err != nil || !ok {
		t.Fatalf("company not found: %v", err)
	}
	if !c.Closed {
		t.Errorf("the row closed in the file is still open in the registry (second run: already done %v, rows %d)", sum.AlreadyDone, sum.Rows)
	}
}
