package registry_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward/pipeline/company"
)

// The tests below come from a review of odd registry input; each failed before its fix.

func writeRegistryFile(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "r.csv")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// validSIRET returns a valid SIRET of its own for each seed.
func validSIRET(seed uint64) string {
	for base := 100000000 + seed*2654435761%800000000; ; base++ {
		s := fmt.Sprint(base)
		if !company.SIREN(s).Usable() {
			continue
		}
		for nic := 10; nic < 100; nic++ {
			if f := company.SIRET(fmt.Sprintf("%s000%02d", s, nic)); f.Usable() {
				return f.Value
			}
		}
	}
}

// TestImportBOMQuotedHeader: a byte order mark before a quoted header (Excel's "CSV
// UTF-8") is skipped; the header was a parse error.
func TestImportBOMQuotedHeader(t *testing.T) {
	p := writeRegistryFile(t, "\ufeff\"siret\",\"denominationUniteLegale\"\n\"73282932000074\",\"ACME\"\n")
	sum, err := importer(openSQLite(t)).Import(context.Background(), p, "sirene")
	if err != nil || sum.Rows != 1 {
		t.Fatalf("sum %+v err %v", sum, err)
	}
}

// TestImportDuplicateKeyLastWins: a SIRET given twice in one file: the file's last row
// is stored whatever the rows between (an unstable sort chose), and the rows counted
// are the companies written.
func TestImportDuplicateKeyLastWins(t *testing.T) {
	for _, n := range []int{10, 11, 12, 30, 61} {
		var b strings.Builder
		b.WriteString("siret,denominationUniteLegale\n73282932000074,FIRST\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "%s,FILLER\n", validSIRET(uint64(i+1)))
		}
		b.WriteString("73282932000074,LAST\n")
		st := openSQLite(t)
		sum, err := importer(st).Import(context.Background(), writeRegistryFile(t, b.String()), "sirene")
		if err != nil {
			t.Fatal(err)
		}
		if c, _, _ := st.CompanyBySIRET(context.Background(), "73282932000074"); c.Name != "LAST" {
			t.Errorf("%d rows between: the registry holds %q, the file's last row says LAST", n, c.Name)
		}
		if sum.Rows != int64(n+1) {
			t.Errorf("%d rows between: %d rows counted, %d companies written", n, sum.Rows, n+1)
		}
	}
}

// TestImportMappedSIRENMismatch: a mapped CSV row whose SIREN is not its SIRET's first
// nine digits is invalid (it was stored, found by the other company's SIREN).
func TestImportMappedSIRENMismatch(t *testing.T) {
	st := openSQLite(t)
	p := writeRegistryFile(t, "name,siret,siren\nACME,73282932000074,552100554\n")
	sum, err := importer(st).Import(context.Background(), p, "csv")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Invalid != 1 || sum.Rows != 0 {
		t.Errorf("summary %+v, want the row invalid", sum)
	}
}
