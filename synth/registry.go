package synth

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// RegistryHeader is the header of the SIRENE-format establishment file WriteRegistry
// writes (the columns of INSEE's StockEtablissement, a subset).
var RegistryHeader = []string{"siren", "nic", "siret", "denominationUniteLegale",
	"enseigne1Etablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
	"activitePrincipaleEtablissement", "trancheEffectifsEtablissement",
	"etatAdministratifEtablissement", "etablissementSiege"}

// WriteRegistry writes the header and rows establishment rows of the seed's French
// companies in index order — CompanyAt(seed, "FR", 0), 1, 2... — each company's
// establishments contiguous, head office first (the last company may be cut short).
// Closed establishments have état "F". It streams: memory does not grow with rows.
//
// To cover every company a Generator can use, pass at least
// RegistryRows(seed, g.CompanyUniverse("FR")); more rows add companies no contact uses.
func WriteRegistry(w io.Writer, seed int64, rows int) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(RegistryHeader); err != nil {
		return err
	}
	written := 0
	for i := 0; written < rows; i++ {
		c := CompanyAt(seed, "FR", i)
		for _, row := range RegistryRowsOf(&c) {
			if written == rows {
				break
			}
			if err := cw.Write(row); err != nil {
				return err
			}
			written++
		}
	}
	cw.Flush()
	return cw.Error()
}

// RegistryRows returns the number of registry rows of the first companies French
// companies of the seed's universe.
func RegistryRows(seed int64, companies int) int {
	n := 0
	for i := range companies {
		n += len(CompanyAt(seed, "FR", i).Establishments)
	}
	return n
}

// RegistryRowsOf returns the registry rows of a French company, one per establishment.
func RegistryRowsOf(c *Company) [][]string {
	out := make([][]string, 0, len(c.Establishments))
	name := strings.ToUpper(dropAccents(c.Name))
	naf := c.NAF
	if naf == "" {
		naf = "70.22Z"
	}
	for _, e := range c.Establishments {
		etat, head := "A", "false"
		if !e.Open {
			etat = "F"
		}
		if e.HeadOffice {
			head = "true"
		}
		out = append(out, []string{c.SIREN, e.NIC, e.SIRET, name, e.Enseigne, e.Postcode,
			sireneCommune(e.City, e.Postcode), naf, c.Headcount, etat, head})
	}
	return out
}

// sireneCommune writes a city the way SIRENE does: capitals, no accents, arrondissement
// numbers for Paris, Lyon and Marseille ("PARIS 8").
func sireneCommune(city, postcode string) string {
	up := strings.ToUpper(dropAccents(city))
	if (city == "Paris" || city == "Lyon" || city == "Marseille") && len(postcode) == 5 {
		if n, err := strconv.Atoi(postcode[3:]); err == nil && n > 0 {
			return up + " " + strconv.Itoa(n)
		}
	}
	return up
}
