package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// address is a clean postal address.
type address struct {
	cc         string
	number     string // "12", "12 bis", "5a"
	streetType string // "rue", "Street"; empty in Germany where the name carries it
	streetName string // "de la Paix", "Main", "Hauptstraße"
	dir        string // US directional prefix ("N")
	line2      string
	postcode   string
	city       *city
}

// line1 renders the street line the country's way.
func (a *address) line1() string {
	switch a.cc {
	case "DE":
		return a.streetName + " " + a.number
	case "US":
		if a.dir != "" {
			return a.number + " " + a.dir + " " + a.streetName + " " + a.streetType
		}
	case "FR":
		return a.number + " " + a.streetType + " " + a.streetName
	}
	return a.number + " " + a.streetName + " " + a.streetType
}

// lines returns the address lines.
func (a *address) lines() []string {
	if a.line2 == "" {
		return []string{a.line1()}
	}
	return []string{a.line1(), a.line2}
}

// newAddress draws a home (or, with business, company) address in a city of the country;
// ct may be given to place it in a known city.
func newAddress(r *rand.Rand, cc string, ct *city, business bool) *address {
	if ct == nil {
		ct = drawCity(r, cc)
	}
	a := &address{cc: cc, city: ct, postcode: drawPostcode(r, cc, ct)}
	switch cc {
	case "FR":
		a.number = strconv.Itoa(houseNumber(r, 120))
		if r.IntN(15) == 0 {
			a.number += pick(r, []string{" bis", " ter"})
		}
		a.streetType, a.streetName = frStreetTypeT.draw(r), frStreetNameT.draw(r)
		if a.streetType == "place" || a.streetType == "quai" || a.streetType == "cours" {
			a.number = strconv.Itoa(1 + r.IntN(30))
		}
		a.line2 = line2(r, business, 0.18, frLine2, frBizLine2)
	case "US":
		a.number = strconv.Itoa(houseNumber(r, 9800))
		a.streetType, a.streetName = usStreetTypeT.draw(r), usStreetNameT.draw(r)
		if r.IntN(6) == 0 {
			a.dir = pick(r, []string{"N", "S", "E", "W"})
		}
		a.line2 = line2(r, business, 0.3, usLine2, enBizLine2)
	case "GB":
		a.number = strconv.Itoa(houseNumber(r, 250))
		a.streetType, a.streetName = gbStreetTypeT.draw(r), gbStreetNameT.draw(r)
		a.line2 = line2(r, business, 0.2, gbLine2, enBizLine2)
	case "DE":
		a.number = strconv.Itoa(houseNumber(r, 150))
		if r.IntN(10) == 0 {
			a.number += pick(r, []string{"a", "b", "c"})
		}
		a.streetName = deStreetNameT.draw(r)
		a.line2 = line2(r, business, 0.1, deLine2, deBizLine2)
	}
	return a
}

// houseNumber is skewed to small numbers, as real streets are.
func houseNumber(r *rand.Rand, max int) int {
	x := r.Float64()
	return 1 + int(x*x*float64(max))
}

func line2(r *rand.Rand, business bool, p float64, home, biz []string) string {
	if business {
		if chance(r, 0.3) {
			return pick(r, biz)
		}
		return ""
	}
	if chance(r, p) {
		return pick(r, home)
	}
	return ""
}

// gbInward are the letters allowed in the inward part of a UK postcode.
const gbInward = "ABDEFGHJLNPQRSTUWXYZ"

// drawPostcode returns a postcode of the city in the country's format.
func drawPostcode(r *rand.Rand, cc string, ct *city) string {
	switch cc {
	case "FR":
		return pick(r, ct.codes)
	case "GB":
		return pick(r, ct.codes) + " " + strconv.Itoa(r.IntN(10)) +
			string(gbInward[r.IntN(len(gbInward))]) + string(gbInward[r.IntN(len(gbInward))])
	}
	return fmt.Sprintf("%05d", between(r, ct.lo, ct.hi))
}

// countryForms are the ways sources write each country, canonical first.
var countryForms = map[string][]string{
	"FR": {"FR", "France", "FRA", "fr", "FRANCE", "France métropolitaine"},
	"US": {"US", "USA", "United States", "United States of America", "U.S.A.", "us", "U.S."},
	"GB": {"GB", "UK", "United Kingdom", "Great Britain", "GBR", "England", "U.K."},
	"DE": {"DE", "Germany", "Deutschland", "DEU", "de", "Allemagne", "GERMANY"},
}

// abbreviations are the street-line shortenings sources apply, per country.
var abbreviations = map[string][][2]string{
	"FR": {{"boulevard ", "bd "}, {"boulevard ", "bld "}, {"avenue ", "av. "}, {"avenue ", "ave "},
		{"rue ", "r. "}, {"place ", "pl. "}, {"allée ", "all. "}, {"impasse ", "imp. "},
		{"chemin ", "ch. "}, {"route ", "rte "}, {"Saint-", "St-"}, {"Sainte-", "Ste-"},
		{"Général ", "Gal "}, {"Maréchal ", "Mal "}, {" bis ", "B "}, {"du 8 Mai 1945", "du 8 mai 45"}},
	"US": {{" Street", " St"}, {" Street", " St."}, {" Avenue", " Ave"}, {" Boulevard", " Blvd"},
		{" Road", " Rd"}, {" Drive", " Dr"}, {" Lane", " Ln"}, {" Court", " Ct"}, {" Place", " Pl"},
		{" N ", " North "}, {" S ", " South "}, {" E ", " East "}, {" W ", " West "}},
	"GB": {{" Road", " Rd"}, {" Street", " St"}, {" Lane", " Ln"}, {" Avenue", " Ave"},
		{" Close", " Cl"}, {" Crescent", " Cres"}, {" Gardens", " Gdns"}, {" Drive", " Dr"},
		{"St John's", "St Johns"}},
	"DE": {{"straße", "str."}, {"Straße", "Str."}, {"straße", "strasse"}, {"Straße", "Strasse"},
		{"Platz", "Pl."}, {"Allee", "Al."}, {"ß", "ss"}},
}

// abbreviate applies the first applicable abbreviation found from a random start.
func abbreviate(r *rand.Rand, cc, line string) (string, bool) {
	ab := abbreviations[cc]
	start := r.IntN(len(ab))
	for i := range ab {
		p := ab[(start+i)%len(ab)]
		if strings.Contains(line, p[0]) {
			return strings.Replace(line, p[0], p[1], 1), true
		}
	}
	return line, false
}

// cityAliases are other names sources give big cities (exonyms, short forms).
var cityAliases = map[string][]string{
	"München": {"Munich", "Muenchen"}, "Köln": {"Cologne", "Koeln"}, "Nürnberg": {"Nuremberg"},
	"Frankfurt am Main":    {"Frankfurt", "Frankfurt a.M.", "Frankfurt/Main"},
	"Freiburg im Breisgau": {"Freiburg"}, "Halle (Saale)": {"Halle"},
	"Newcastle upon Tyne": {"Newcastle"}, "New York": {"NYC", "New York City", "Manhattan"},
	"Washington": {"Washington DC", "Washington, D.C."}, "Los Angeles": {"LA"},
	"Saint-Étienne": {"St-Étienne", "St Etienne"}, "Aix-en-Provence": {"Aix"},
	"Boulogne-Billancourt": {"Boulogne"}, "Mülheim an der Ruhr": {"Mülheim"},
}

// arrondissement returns "Paris 8e"-style names for the big French cities' postcodes.
func arrondissement(r *rand.Rand, ct *city, postcode string) (string, bool) {
	if len(postcode) != 5 || (ct.name != "Paris" && ct.name != "Lyon" && ct.name != "Marseille") {
		return "", false
	}
	n, _ := strconv.Atoi(postcode[3:])
	if n == 0 {
		return "", false
	}
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("%s %02d", strings.ToUpper(ct.name), n), true
	case 1:
		return fmt.Sprintf("%s %dème", ct.name, n), true
	}
	suffix := "e"
	if n == 1 {
		suffix = "er"
	}
	return fmt.Sprintf("%s %d%s", ct.name, n, suffix), true
}
