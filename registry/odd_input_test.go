package registry_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward/pipeline/company"
	"github.com/steward-crm/steward/registry"
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

// TestImportErrorLines: an invalid row is reported with the file's line of the field at
// fault and that field's column, whatever quoted fields holding newlines and blank lines
// came before it (the line counted rows), after a resumption too.
func TestImportErrorLines(t *testing.T) {
	for _, tc := range []struct {
		name, format string
		mapping      map[string]string
		file         string
		want         string
	}{
		{"a name on two lines and a blank line before", "sirene", nil,
			"siret,denominationUniteLegale\n73282932000074,\"ACME\nINDUSTRIE\"\n\n12345,TOO SHORT\n",
			`line 5, column "siret": siret siret.bad_length`},
		{"the field on the second line of its row", "csv", map[string]string{"siret": "N° SIRET"},
			"name,N° SIRET\n\"ACME\nINDUSTRIE\",12345\n",
			`line 3, column "N° SIRET": siret siret.bad_length`},
		{"a row without its name", "csv", nil,
			"name,siret\n\n\n,73282932000074\n",
			`line 4, column "name": no name`},
		{"a row without key, siret or lei", "csv", nil,
			"name,siret\n\"ACME\r\nINDUSTRIE\",\n",
			`line 2: no key, siret or lei`},
		{"a parse error after a blank line", "sirene", nil,
			"siret,denominationUniteLegale\n\n73282932000074,\"ACME\"x\n",
			`line 3: extraneous or missing " in quoted-field`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im := importer(openSQLite(t))
			im.Options.Map = tc.mapping
			sum, err := im.Import(context.Background(), writeRegistryFile(t, tc.file), tc.format)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Errors) != 1 || sum.Errors[0] != tc.want {
				t.Errorf("errors %q, want [%q]", sum.Errors, tc.want)
			}
		})
	}
}

// TestImportErrorLinesAfterResume: an import interrupted after rows holding newlines
// resumes at the right byte and goes on counting the file's lines.
func TestImportErrorLinesAfterResume(t *testing.T) {
	var b strings.Builder
	b.WriteString("siret,denominationUniteLegale\n")
	for i := range 3 {
		fmt.Fprintf(&b, "%s,\"COMPANY\n%d\"\n\n", validSIRET(uint64(i+1)), i)
	}
	b.WriteString("12345,TOO SHORT\n") // line 1 + 3×3 + 1
	p := writeRegistryFile(t, b.String())
	st := openSQLite(t)
	im := importer(st)
	im.BatchSize = 1
	ctx, cancel := context.WithCancel(context.Background())
	im.Progress = func(registry.Progress) { cancel() }
	first, err := im.Import(ctx, p, "sirene")
	if !errors.Is(err, context.Canceled) || first.Rows != 1 {
		t.Fatalf("interrupted import: %+v %v, want 1 row and context.Canceled", first, err)
	}
	im.Progress = nil
	second, err := im.Import(context.Background(), p, "sirene")
	if err != nil {
		t.Fatal(err)
	}
	if second.Resumed != 3 || second.Rows != 3 {
		t.Errorf("resumed after line %d with %d rows, want 3 and 3", second.Resumed, second.Rows)
	}
	if want := `line 11, column "siret": siret siret.bad_length`; len(second.Errors) != 1 || second.Errors[0] != want {
		t.Errorf("errors %q, want [%q]", second.Errors, want)
	}
}

// TestImportInvalidUTF8Row: a company name in Windows-1252 ("SOCI\xc9T\xc9") is an
// invalid row naming its column; it was stored as invalid text.
func TestImportInvalidUTF8Row(t *testing.T) {
	p := writeRegistryFile(t, "siret,denominationUniteLegale\n73282932000074,SOCI\xc9T\xc9 G\xc9N\xc9RALE\n"+validSIRET(7)+",ACME\n")
	sum, err := importer(openSQLite(t)).Import(context.Background(), p, "sirene")
	if err != nil || sum.Rows != 1 || sum.Invalid != 1 || len(sum.Errors) != 1 || !strings.Contains(sum.Errors[0], "denominationUniteLegale") || !strings.Contains(sum.Errors[0], "UTF-8") {
		t.Fatalf("sum %+v err %v: want one company and one invalid row naming the column and UTF-8", sum, err)
	}
}
