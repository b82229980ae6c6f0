package synth

import (
	"math/rand/v2"
	"strings"
)

// activity is a line of business: its word in the company's language and, for France,
// the NAF code of the SIRENE registry.
type activity struct{ word, naf string }

var frActivities = []activity{
	{"Conseil", "70.22Z"}, {"Informatique", "62.02A"}, {"Solutions", "62.01Z"},
	{"Transports", "49.41A"}, {"Bâtiment", "41.20A"}, {"Immobilier", "68.31Z"},
	{"Logistique", "52.29A"}, {"Distribution", "46.90Z"}, {"Ingénierie", "71.12B"},
	{"Énergie", "35.14Z"}, {"Formation", "85.59A"}, {"Communication", "73.11Z"},
	{"Services", "82.99Z"}, {"Industrie", "25.62B"}, {"Électricité", "43.21A"},
	{"Plomberie", "43.22A"}, {"Menuiserie", "43.32A"}, {"Santé", "86.90F"},
	{"Finance", "64.99Z"}, {"Environnement", "38.11Z"}, {"Expertise Comptable", "69.20Z"},
}

// frTrades prefix a surname: "Boulangerie Dubois", "Garage Martin".
var frTrades = []activity{
	{"Boulangerie", "10.71C"}, {"Garage", "45.20A"}, {"Cabinet", "69.10Z"},
	{"Transports", "49.41A"}, {"Établissements", "46.90Z"}, {"Pharmacie", "47.73Z"},
	{"Groupe", "70.10Z"}, {"Menuiserie", "43.32A"}, {"Restaurant", "56.10A"},
}

var enActivities = []string{"Solutions", "Systems", "Analytics", "Logistics", "Consulting",
	"Holdings", "Partners", "Technologies", "Industries", "Labs", "Group", "Capital",
	"Health", "Foods", "Energy", "Media", "Services", "Supplies", "Trading", "Engineering",
	"Software", "Insurance", "Properties", "Manufacturing"}

var deActivities = []string{"Maschinenbau", "Logistik", "Bau", "Immobilien", "Consulting",
	"Software", "Elektrotechnik", "Handel", "Beratung", "Versicherungen", "Systeme",
	"Medizintechnik", "Spedition", "Anlagenbau", "Metallbau", "Haustechnik", "Steuerberatung"}

var deTrades = []string{"Bäckerei", "Autohaus", "Metzgerei", "Apotheke", "Zahnarztpraxis", "Gasthaus"}

var brands = []string{"Nova", "Axiome", "Altéa", "Helios", "Orion", "Vertex", "Nexus",
	"Zenith", "Apex", "Atlas", "Sigma", "Delta", "Optima", "Synergie", "Horizon", "Azur",
	"Alpha", "Oméga", "Vision", "Summit", "Pioneer", "Blue Ridge", "Northwind", "Evergreen",
	"Keystone", "Lighthouse", "Silverline", "Redwood", "Granite", "Meridian", "Quantum",
	"Nordlicht", "Alpen", "Rhein", "Elbe", "Thames", "Pennine", "Cascade", "Atlantique",
	"Provence", "Bretagne", "Lumière", "Arc-en-Ciel", "Kraftwerk", "Sonnen", "Harbor", "Beacon"}

var brandSuffixes = []string{"tech", "data", "soft", "com", "lys", "ium", "is", "ix", "net", "io"}

// legal forms per country with their weights.
var legalForms = map[string]*wtable{
	"FR": zipfTable([]string{"SAS", "SARL", "SA", "SASU", "EURL", "SCI", "SNC"}, 1.4, 1),
	"US": zipfTable([]string{"Inc.", "LLC", "Corp.", "LLP", "Co."}, 1.3, 1),
	"GB": zipfTable([]string{"Ltd", "Limited", "LLP", "PLC"}, 1.6, 1),
	"DE": zipfTable([]string{"GmbH", "GmbH & Co. KG", "AG", "KG", "e.K.", "UG (haftungsbeschränkt)"}, 1.3, 1),
}

// companyName draws a company name without legal form, its slug for the web domain, and
// (FR) its NAF code.
func companyName(r *rand.Rand, cc string) (name, domain, naf string) {
	fam := surname(r, cc)
	if strings.ContainsAny(fam, "-") && r.IntN(2) == 0 {
		fam = fam[:strings.IndexByte(fam, '-')]
	}
	brand := pick(r, brands)
	if r.IntN(4) == 0 {
		brand = strings.TrimSuffix(brand, "e") + pick(r, brandSuffixes)
		brand = titleCase(slug(brand, 0))
	}
	switch cc {
	case "FR":
		act := pick(r, frActivities)
		naf = act.naf
		switch r.IntN(6) {
		case 0:
			t := pick(r, frTrades)
			return t.word + " " + fam, slug(fam, '-'), t.naf
		case 1:
			return fam + " " + act.word, slug(fam+" "+act.word, '-'), naf
		case 2:
			return fam + " & Fils", slug(fam, '-') + "-fils", naf
		case 3:
			return brand, slug(brand, 0), naf
		}
		return brand + " " + act.word, slug(brand+" "+act.word, '-'), naf
	case "DE":
		switch r.IntN(6) {
		case 0:
			return pick(r, deTrades) + " " + fam, slug(germanTranslit(fam), '-'), ""
		case 1:
			return fam + " & Partner", slug(germanTranslit(fam), '-') + "-partner", ""
		case 2, 3:
			act := pick(r, deActivities)
			return fam + " " + act, slug(germanTranslit(fam+" "+act), '-'), ""
		}
		act := pick(r, deActivities)
		return brand + " " + act, slug(germanTranslit(brand), 0) + "-" + slug(germanTranslit(act), 0), ""
	}
	act := pick(r, enActivities)
	switch r.IntN(6) {
	case 0:
		return fam + " & Sons", slug(fam, 0) + "andsons", ""
	case 1:
		other := surname(r, cc)
		return fam + " & " + other, slug(fam, 0) + slug(other, 0), ""
	case 2:
		return fam + " " + act, slug(fam+act, 0), ""
	}
	return brand + " " + act, slug(brand, 0) + slug(act, 0), ""
}

// tld draws the company's web top-level domain.
func tld(r *rand.Rand, cc string) string {
	switch cc {
	case "FR":
		return pick(r, []string{".fr", ".fr", ".fr", ".com", ".eu"})
	case "GB":
		return pick(r, []string{".co.uk", ".co.uk", ".co.uk", ".com", ".uk"})
	case "DE":
		return pick(r, []string{".de", ".de", ".de", ".de", ".com"})
	}
	return pick(r, []string{".com", ".com", ".com", ".com", ".io", ".net", ".us"})
}

// Job titles, (masculine, feminine) where the language has genders.
var jobTitles = map[string][][2]string{
	"FR": {{"Directeur commercial", "Directrice commerciale"}, {"Responsable achats", "Responsable achats"},
		{"Chef de projet", "Cheffe de projet"}, {"Comptable", "Comptable"}, {"DRH", "DRH"},
		{"Directeur financier", "Directrice financière"}, {"Gérant", "Gérante"},
		{"Ingénieur études", "Ingénieure études"}, {"Assistant de direction", "Assistante de direction"},
		{"Président", "Présidente"}, {"Développeur", "Développeuse"}, {"Juriste", "Juriste"}},
	"DE": {{"Geschäftsführer", "Geschäftsführerin"}, {"Einkaufsleiter", "Einkaufsleiterin"},
		{"Vertriebsleiter", "Vertriebsleiterin"}, {"Projektleiter", "Projektleiterin"},
		{"Buchhalter", "Buchhalterin"}, {"Softwareentwickler", "Softwareentwicklerin"},
		{"Prokurist", "Prokuristin"}, {"Personalreferent", "Personalreferentin"}},
	"EN": {{"Sales Manager", ""}, {"CFO", ""}, {"Head of Procurement", ""}, {"Software Engineer", ""},
		{"Account Executive", ""}, {"Office Manager", ""}, {"Managing Director", ""},
		{"HR Business Partner", ""}, {"Operations Director", ""}, {"VP Marketing", ""},
		{"Chief Executive Officer", ""}, {"Purchasing Agent", ""}},
}

// jobTitle draws a job title matching the person's language and gender.
func jobTitle(r *rand.Rand, cc string, male bool) string {
	key := cc
	if cc == "US" || cc == "GB" {
		key = "EN"
	}
	t := pick(r, jobTitles[key])
	if male || t[1] == "" {
		return t[0]
	}
	return t[1]
}
