package registry_test

import (
	"encoding/csv"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/steward-crm/steward/synth"
)

var update = flag.Bool("update", false, "rewrite testdata/registry samples")

const sampleSeed = 6

// sirenePath and gleifPath are the small generated samples under testdata/registry.
var (
	sirenePath = filepath.Join("..", "testdata", "registry", "sirene_sample.csv")
	gleifPath  = filepath.Join("..", "testdata", "registry", "gleif_sample.csv")
)

// gleifHeader is a subset of the GLEIF LEI-CDF golden copy columns.
var gleifHeader = []string{"LEI", "Entity.LegalName", "Entity.LegalAddress.FirstAddressLine",
	"Entity.LegalAddress.City", "Entity.LegalAddress.PostalCode", "Entity.LegalAddress.Country",
	"Entity.RegistrationAuthority.RegistrationAuthorityID",
	"Entity.RegistrationAuthority.RegistrationAuthorityEntityID", "Entity.EntityStatus"}

// writeGLEIF writes the LEI-holding companies among the first n of each country.
func writeGLEIF(w io.Writer, seed int64, n int) error {
	cw := csv.NewWriter(w)
	cw.Write(gleifHeader)
	for _, cc := range []string{"FR", "DE", "GB", "US"} {
		for i := range n {
			c := synth.CompanyAt(seed, cc, i)
			if c.LEI == "" {
				continue
			}
			h := c.Establishments[0]
			ra, id, status := "RA999999", "", "ACTIVE"
			if cc == "FR" {
				ra, id = "RA000189", c.SIREN
			}
			if c.Closed {
				status = "INACTIVE"
			}
			line := ""
			if len(h.Lines) > 0 {
				line = h.Lines[0]
			}
			cw.Write([]string{c.LEI, c.FullName(), line, h.City, h.Postcode, cc, ra, id, status})
		}
	}
	cw.Flush()
	return cw.Error()
}

// TestSamples regenerates the samples with -update and checks they are up to date.
func TestSamples(t *testing.T) {
	if !*update {
		for _, p := range []string{sirenePath, gleifPath} {
			if _, err := os.Stat(p); err != nil {
				t.Fatalf("%v: run go test ./registry -run TestSamples -update", err)
			}
		}
		return
	}
	f, err := os.Create(sirenePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteRegistry(f, sampleSeed, 300); err != nil {
		t.Fatal(err)
	}
	// Two broken rows at the end, to show invalid rows are counted.
	f.WriteString("732829320,00075,73282932000075,BROKEN CHECKSUM,,75009,PARIS 9,70.22Z,NN,A,true\n")
	f.WriteString("12345,,12345,TOO SHORT,,75009,PARIS 9,70.22Z,NN,A,true\n")
	f.Close()
	g, err := os.Create(gleifPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeGLEIF(g, sampleSeed, 60); err != nil {
		t.Fatal(err)
	}
	g.Close()
}
