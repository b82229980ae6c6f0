package service

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/csvsafe"
)

// ExportColumns are the CSV columns of Export. New columns go at the end: scripts read
// the file by position. kind is "person" or "company"; address_lines is the address
// block above the postcode and city (the street line with its complements: building,
// flat, PO box), one cell like the other multi-valued ones; region is the state or
// region code of the postal formats that need one (US: "IL").
var ExportColumns = []string{"master_id", "version", "quality", "civility", "given_name", "family_name",
	"email", "phone", "emails", "phones", "street_number", "street", "postcode", "city", "country",
	"birth_date", "company_name", "siren", "siret", "vat", "job_title", "sources",
	"kind", "lei", "address_lines", "region"}

// Export writes every active golden record to w as "csv" or "jsonl" (one contact.Master
// per line) and returns how many it wrote. Multi-valued CSV cells are joined with "; ";
// a CSV cell a spreadsheet would read as a formula gets a leading ' (csvsafe.Cell).
func (s *Service) Export(ctx context.Context, w io.Writer, format string) (int, error) {
	n := 0
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		err := s.Store.EachMaster(ctx, func(m *contact.Master) error {
			n++
			return enc.Encode(m)
		})
		return n, err
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(ExportColumns); err != nil {
			return 0, err
		}
		err := s.Store.EachMaster(ctx, func(m *contact.Master) error {
			n++
			return cw.Write(exportRow(m))
		})
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
		return n, err
	default:
		return 0, fmt.Errorf("export: unknown format %q (want csv or jsonl)", format)
	}
}

func exportRow(m *contact.Master) []string {
	g := m.Golden
	first := func(xs []string) string {
		if len(xs) == 0 {
			return ""
		}
		return xs[0]
	}
	row := []string{
		strconv.FormatInt(m.ID, 10), strconv.Itoa(m.Version), strconv.Itoa(m.Quality),
		g.Civility, g.GivenName, g.FamilyName, first(g.Emails), first(g.Phones),
		strings.Join(g.Emails, "; "), strings.Join(g.Phones, "; "),
		g.Address.Number, g.Address.Street.Value, g.Address.Postcode.Value, g.Address.City.Value,
		g.Address.Country.Value, g.BirthDate, g.Company.Name.Value, g.Company.SIREN.Value,
		g.Company.SIRET.Value, g.Company.VAT.Value, g.JobTitle, strings.Join(g.Sources, "; "),
		// The empty Kind means a person (contact.Kind): the cell says so.
		string(cmp.Or(g.Kind, contact.KindPerson)), g.Company.LEI.Value,
		strings.Join(g.Address.Lines, "; "), g.Address.Region,
	}
	for i := range row {
		row[i] = csvsafe.Cell(row[i])
	}
	return row
}
