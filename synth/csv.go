package synth

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/steward-crm/steward/contact"
)

// RecordSource yields records until io.EOF; *Generator is one.
type RecordSource interface {
	Next() (*contact.Record, error)
}

// CSVHeader is the header row WriteCSV writes.
var CSVHeader = []string{"source", "source_id", "updated_at", "civility", "given_name",
	"family_name", "full_name", "job_title", "email", "email2", "phone", "phone2",
	"address_line1", "address_line2", "postcode", "city", "region", "country", "company_name",
	"company_siren", "company_siret", "company_vat", "lei", "duns", "company_website", "birth_date", "entity_id"}

// CSVRow flattens a record into the columns of CSVHeader. Values beyond the second
// e-mail, phone or address line are joined into the second column with "; " (", " for
// address lines) so that nothing is lost.
func CSVRow(rec *contact.Record) []string {
	row := make([]string, 0, len(CSVHeader))
	updated := ""
	if !rec.UpdatedAt.IsZero() {
		updated = rec.UpdatedAt.Format(time.RFC3339)
	}
	row = append(row, rec.Source, rec.SourceID, updated, rec.Civility, rec.GivenName,
		rec.FamilyName, rec.FullName, rec.JobTitle)
	row = append(row, firstRest(rec.Emails, "; ")...)
	row = append(row, firstRest(rec.Phones, "; ")...)
	var a contact.Address
	if rec.Address != nil {
		a = *rec.Address
	}
	row = append(row, firstRest(a.Lines, ", ")...)
	row = append(row, a.Postcode, a.City, a.Region, a.Country)
	var c contact.Company
	if rec.Company != nil {
		c = *rec.Company
	}
	row = append(row, c.Name, c.SIREN, c.SIRET, c.VAT, c.LEI, c.DUNS, c.Website, rec.BirthDate)
	id, _ := rec.Attributes["entity_id"].(string)
	return append(row, id)
}

func firstRest(xs []string, sep string) []string {
	switch len(xs) {
	case 0:
		return []string{"", ""}
	case 1:
		return []string{xs[0], ""}
	}
	return []string{xs[0], strings.Join(xs[1:], sep)}
}

// WriteCSV writes a header and one CSVRow per record of src until io.EOF, and returns
// the number of records written.
func WriteCSV(w io.Writer, src RecordSource) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return 0, err
	}
	n := 0
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		if err := cw.Write(CSVRow(rec)); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, cw.Error()
}

// WriteJSONL writes one json.Marshal of each record of src per line until io.EOF, and
// returns the number of records written.
func WriteJSONL(w io.Writer, src RecordSource) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 0
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return n, err
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return n, err
		}
		n++
	}
	return n, bw.Flush()
}
