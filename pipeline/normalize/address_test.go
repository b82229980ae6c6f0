package normalize

import (
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
)

func TestAddress(t *testing.T) {
	n := newTest(t)
	type want struct {
		street, number, postcode, city, cityKey, country string
		lines                                            string // joined with " / "
		issue                                            string // one issue expected on any field
	}
	fr := func(lines ...string) contact.Address {
		return contact.Address{Lines: lines, Postcode: "75009", City: "Paris", Country: "France"}
	}
	cases := []struct {
		name string
		in   contact.Address
		want want
	}{
		{"FR bd", fr("12 bd Haussmann"), want{"BOULEVARD HAUSSMANN", "12", "75009", "PARIS", "paris", "FR", "12 BOULEVARD HAUSSMANN", "street.type_expanded"}},
		{"FR boul.", fr("12 Boul. Haussmann"), want{"BOULEVARD HAUSSMANN", "12", "75009", "PARIS", "paris", "FR", "12 BOULEVARD HAUSSMANN", ""}},
		{"FR blvd", fr("12 BLVD HAUSSMANN"), want{"BOULEVARD HAUSSMANN", "12", "75009", "PARIS", "paris", "FR", "12 BOULEVARD HAUSSMANN", ""}},
		{"FR av.", fr("5 av. Foch"), want{"AVENUE FOCH", "5", "75009", "PARIS", "paris", "FR", "5 AVENUE FOCH", ""}},
		{"FR bis", fr("12 bis rue de la Paix"), want{"RUE DE LA PAIX", "12 BIS", "75009", "PARIS", "paris", "FR", "12 BIS RUE DE LA PAIX", ""}},
		{"FR bis glued, comma", fr("12bis, rue de la Paix"), want{"RUE DE LA PAIX", "12 BIS", "75009", "PARIS", "paris", "FR", "12 BIS RUE DE LA PAIX", ""}},
		{"FR ter", fr("3 TER RUE DES LILAS"), want{"RUE DES LILAS", "3 TER", "75009", "PARIS", "paris", "FR", "3 TER RUE DES LILAS", ""}},
		{"FR quater", fr("3 quater rue des Lilas"), want{"RUE DES LILAS", "3 QUATER", "75009", "PARIS", "paris", "FR", "3 QUATER RUE DES LILAS", ""}},
		{"FR letter", fr("7B rue des Lilas"), want{"RUE DES LILAS", "7B", "75009", "PARIS", "paris", "FR", "7B RUE DES LILAS", ""}},
		{"FR St is a saint", fr("4 rue St Honoré"), want{"RUE SAINT HONORÉ", "4", "75009", "PARIS", "paris", "FR", "4 RUE SAINT HONORÉ", ""}},
		{"FR number inside the name", fr("5 rue du 8 Mai 1945"), want{"RUE DU 8 MAI 1945", "5", "75009", "PARIS", "paris", "FR", "5 RUE DU 8 MAI 1945", ""}},
		{"FR no number", fr("Place de la Concorde"), want{"PLACE DE LA CONCORDE", "", "75009", "PARIS", "paris", "FR", "PLACE DE LA CONCORDE", "street.number_missing"}},
		{"FR complement first", fr("Bâtiment A", "12 rue de la Paix"), want{"RUE DE LA PAIX", "12", "75009", "PARIS", "paris", "FR", "BÂTIMENT A / 12 RUE DE LA PAIX", ""}},
		{"FR PO box and street", fr("12 rue de la Paix", "BP 123"), want{"RUE DE LA PAIX", "12", "75009", "PARIS", "paris", "FR", "12 RUE DE LA PAIX / BP 123", "address.po_box"}},
		{"FR Boîte Postale alone", fr("Boîte Postale 45"), want{"BP 45", "", "75009", "PARIS", "paris", "FR", "BP 45", "address.po_box"}},
		{"FR CS", fr("CS 70001"), want{"CS 70001", "", "75009", "PARIS", "paris", "FR", "CS 70001", "address.po_box"}},
		{"FR CEDEX in postcode", contact.Address{Lines: []string{"12 rue de la Paix"}, Postcode: "75002 CEDEX 02", City: "Paris", Country: "FR"},
			want{"RUE DE LA PAIX", "12", "75002", "PARIS CEDEX 02", "paris", "FR", "12 RUE DE LA PAIX", "postcode.cedex_moved"}},
		{"FR CEDEX in city", contact.Address{Lines: []string{"12 rue de la Paix"}, Postcode: "75002", City: "Paris Cedex 02", Country: "FR"},
			want{"RUE DE LA PAIX", "12", "75002", "PARIS CEDEX 02", "paris", "FR", "12 RUE DE LA PAIX", ""}},
		{"FR city accents kept, key folded", contact.Address{Lines: []string{"1 place Bellecour"}, Postcode: "42000", City: "saint-étienne", Country: "FR"},
			want{"PLACE BELLECOUR", "1", "42000", "SAINT-ÉTIENNE", "saint etienne", "FR", "1 PLACE BELLECOUR", ""}},
		{"FR postcode and city in lines", contact.Address{Lines: []string{"12 rue de la Paix", "75002 Paris"}, Country: "France"},
			want{"RUE DE LA PAIX", "12", "75002", "PARIS", "paris", "FR", "12 RUE DE LA PAIX", "postcode.from_lines"}},
		{"FR postcode in city", contact.Address{Lines: []string{"12 rue de la Paix"}, City: "75002 Paris", Country: "FR"},
			want{"RUE DE LA PAIX", "12", "75002", "PARIS", "paris", "FR", "12 RUE DE LA PAIX", "postcode.from_city"}},
		{"FR postcode in city, glued by a control character", contact.Address{Lines: []string{"12 rue de la Paix"}, City: "75002\x01Paris", Country: "FR"},
			want{"RUE DE LA PAIX", "12", "75002", "PARIS", "paris", "FR", "12 RUE DE LA PAIX", "postcode.from_city"}},
		{"FR postcode in city, after punctuation", contact.Address{Lines: []string{"12 rue de la Paix"}, City: ";;75002 Paris", Country: "FR"},
			want{"RUE DE LA PAIX", "12", "75002", "PARIS", "paris", "FR", "12 RUE DE LA PAIX", "postcode.from_city"}},
		// The street rewrite sets a glued number apart and cuts a line at its complement;
		// the postcode-and-city line is looked for as it will be written, or a second pass
		// would find a postcode the first one missed.
		{"ES postcode glued to the street", contact.Address{Lines: []string{"Calle Mayor28001"}, City: "Madrid", Country: "ES"},
			want{"", "", "28001", "MADRID", "madrid", "ES", "", "postcode.from_lines"}},
		{"DE postcode glued to Postfach", contact.Address{Lines: []string{"Postfach10115"}, City: "Berlin", Country: "DE"},
			want{"", "", "10115", "BERLIN", "berlin", "DE", "", "postcode.from_lines"}},
		{"FR complement and postcode-city on one line", contact.Address{Lines: []string{"12 rue de la Paix", "Bâtiment A, 75002 Paris"}, Country: "FR"},
			want{"RUE DE LA PAIX", "12", "75002", "PARIS", "paris", "FR", "12 RUE DE LA PAIX / BÂTIMENT A", "postcode.from_lines"}},
		// Found by FuzzAddress: the invalid byte between "}" and "00000" is dropped.
		{"ES postcode glued after an invalid byte", contact.Address{Lines: []string{"0 V\xc3\xe0a\xe1\x8b%q\xa8\xbc{\xd8\xd1 Z\x91a[\x8a\x9d\x9a}\x8d28000", "0"},
			Postcode: "\x10", City: "\x02\xbdo\xe6\x95@& ", Country: "ES"},
			want{"", "", "28000", "O@&", "o", "ES", "0", "postcode.from_lines"}},
		{"DE complement with its number glued", contact.Address{Lines: []string{"Wohnung3", "Hauptstr. 5"}, Postcode: "10115", City: "Berlin", Country: "DE"},
			want{"HAUPTSTRASSE", "5", "10115", "BERLIN", "berlin", "DE", "WOHNUNG3 / HAUPTSTRASSE 5", "street.type_expanded"}},
		// Found by FuzzAddress: "!ZA0" was written "!ZA 0", which starts with a complement word.
		{"DK complement with its number glued", contact.Address{Lines: []string{"!ZA0", "0"}, Postcode: "0", City: "0", Country: "dK"},
			want{"", "", "0", "0", "", "DK", "!ZA0 / 0", ""}},
		{"FR bad postcode", contact.Address{Lines: []string{"12 rue de la Paix"}, Postcode: "7500", City: "Paris", Country: "FR"},
			want{"RUE DE LA PAIX", "12", "07500", "PARIS", "paris", "FR", "12 RUE DE LA PAIX", "postcode.leading_zero_restored"}},
		{"DE Str. suffix", contact.Address{Lines: []string{"Hauptstr. 5a"}, Postcode: "10115", City: "Berlin", Country: "Deutschland"},
			want{"HAUPTSTRASSE", "5A", "10115", "BERLIN", "berlin", "DE", "HAUPTSTRASSE 5A", "street.type_expanded"}},
		{"DE Straße", contact.Address{Lines: []string{"Hauptstraße 5"}, Postcode: "10115", City: "Berlin", Country: "DE"},
			want{"HAUPTSTRASSE", "5", "10115", "BERLIN", "berlin", "DE", "HAUPTSTRASSE 5", ""}},
		{"DE separate Str.", contact.Address{Lines: []string{"Berliner Str. 12 b"}, Postcode: "80331", City: "München", Country: "DE"},
			want{"BERLINER STRASSE", "12B", "80331", "MÜNCHEN", "munchen", "DE", "BERLINER STRASSE 12B", ""}},
		{"DE glued number", contact.Address{Lines: []string{"Hauptstr.5"}, Postcode: "10115", City: "Berlin", Country: "DE"},
			want{"HAUPTSTRASSE", "5", "10115", "BERLIN", "berlin", "DE", "HAUPTSTRASSE 5", ""}},
		{"DE Platz first", contact.Address{Lines: []string{"Platz der Republik 1"}, Postcode: "11011", City: "Berlin", Country: "DE"},
			want{"PLATZ DER REPUBLIK", "1", "11011", "BERLIN", "berlin", "DE", "PLATZ DER REPUBLIK 1", ""}},
		{"DE Postfach", contact.Address{Lines: []string{"Postfach 10 10 10"}, Postcode: "10115", City: "Berlin", Country: "DE"},
			want{"POSTFACH 10 10 10", "", "10115", "BERLIN", "berlin", "DE", "POSTFACH 10 10 10", "address.po_box"}},
		{"US Ave and directional", contact.Address{Lines: []string{"1600 Pennsylvania Ave NW"}, Postcode: "20500", City: "Washington", Country: "USA"},
			want{"PENNSYLVANIA AVENUE NW", "1600", "20500", "WASHINGTON", "washington", "US", "1600 PENNSYLVANIA AVENUE NW", ""}},
		{"US written U.S.", contact.Address{Lines: []string{"42 Main St."}, Postcode: "12345", City: "Springfield", Country: "U.S."},
			want{"MAIN STREET", "42", "12345", "SPRINGFIELD", "springfield", "US", "42 MAIN STREET", ""}},
		{"FR written France métropolitaine", contact.Address{Lines: []string{"12 bd Haussmann"}, Postcode: "75009", City: "Paris", Country: "France métropolitaine"},
			want{"BOULEVARD HAUSSMANN", "12", "75009", "PARIS", "paris", "FR", "12 BOULEVARD HAUSSMANN", "street.type_expanded"}},
		{"US St Charles Ave", contact.Address{Lines: []string{"100 St Charles Ave"}, Postcode: "70130", City: "New Orleans", Country: "US"},
			want{"ST CHARLES AVENUE", "100", "70130", "NEW ORLEANS", "new orleans", "US", "100 ST CHARLES AVENUE", ""}},
		{"US Main St", contact.Address{Lines: []string{"42 Main St."}, Postcode: "12345-6789", City: "Springfield, IL", Country: "US"},
			want{"MAIN STREET", "42", "12345-6789", "SPRINGFIELD", "springfield", "US", "42 MAIN STREET", "city.state_removed"}},
		{"US PO Box", contact.Address{Lines: []string{"P.O. Box 45"}, Postcode: "02134", City: "Boston", Country: "US"},
			want{"PO BOX 45", "", "02134", "BOSTON", "boston", "US", "PO BOX 45", "address.po_box"}},
		{"US city line in lines", contact.Address{Lines: []string{"42 Main St", "Springfield, IL 62701"}, Country: "US"},
			want{"MAIN STREET", "42", "62701", "SPRINGFIELD", "springfield", "US", "42 MAIN STREET", "city.state_removed"}},
		{"GB flat and Rd", contact.Address{Lines: []string{"Flat 3, 10 Station Rd"}, Postcode: "sw1a2aa", City: "London", Country: "UK"},
			want{"STATION ROAD", "10", "SW1A 2AA", "LONDON", "london", "GB", "FLAT 3 / 10 STATION ROAD", ""}},
		{"GB 221B", contact.Address{Lines: []string{"221B Baker Street"}, Postcode: "NW1 6XE", City: "London", Country: "GB"},
			want{"BAKER STREET", "221B", "NW1 6XE", "LONDON", "london", "GB", "221B BAKER STREET", ""}},
		{"GB postcode in lines", contact.Address{Lines: []string{"10 Downing St", "London SW1A 2AA"}, Country: "GB"},
			want{"DOWNING STREET", "10", "SW1A 2AA", "LONDON", "london", "GB", "10 DOWNING STREET", "postcode.from_lines"}},
		{"no country: nothing derived", contact.Address{Lines: []string{"12 bd Haussmann"}, Postcode: "75009", City: "Paris"},
			want{"BD HAUSSMANN", "12", "75009", "PARIS", "paris", "", "12 BD HAUSSMANN", ""}},
		{"multi-line string", contact.Address{Lines: []string{"Bâtiment A\n12 rue de la Paix"}, Postcode: "75002", City: "Paris", Country: "FR"},
			want{"RUE DE LA PAIX", "12", "75002", "PARIS", "paris", "FR", "BÂTIMENT A / 12 RUE DE LA PAIX", ""}},
		{"empty", contact.Address{}, want{"", "", "", "", "", "", "", ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := n.Address(c.in)
			w := c.want
			if got.Street.Value != w.street || got.Number != w.number || got.Postcode.Value != w.postcode ||
				got.City.Value != w.city || got.CityKey != w.cityKey || got.Country.Value != w.country {
				t.Errorf("Address(%+v)\n got street %q number %q postcode %q city %q key %q country %q\nwant street %q number %q postcode %q city %q key %q country %q",
					c.in, got.Street.Value, got.Number, got.Postcode.Value, got.City.Value, got.CityKey, got.Country.Value,
					w.street, w.number, w.postcode, w.city, w.cityKey, w.country)
			}
			if lines := strings.Join(got.Lines, " / "); lines != w.lines {
				t.Errorf("lines = %q, want %q", lines, w.lines)
			}
			if w.issue != "" {
				var all []string
				for _, f := range []contact.Field{got.Street, got.Postcode, got.City, got.Country} {
					all = append(all, f.Issues...)
				}
				if !slices.Contains(all, w.issue) {
					t.Errorf("issues = %v, want %s", all, w.issue)
				}
			}
			for _, f := range []contact.Field{got.Street, got.Postcode, got.City, got.Country} {
				if f.Status == "" {
					t.Errorf("a field has no status: %+v", got)
				}
			}
		})
	}
}

func TestFormatPostal(t *testing.T) {
	n := newTest(t)
	cases := []struct {
		name string
		in   contact.Address
		want string
	}{
		{"FR", contact.Address{Lines: []string{"12 bis bd Haussmann"}, Postcode: "75009", City: "Paris", Country: "France"},
			"ÉLODIE MARTIN / 12 BIS BOULEVARD HAUSSMANN / 75009 PARIS / FRANCE"},
		{"FR CEDEX", contact.Address{Lines: []string{"BP 123"}, Postcode: "75002 CEDEX 02", City: "Paris", Country: "FR"},
			"ÉLODIE MARTIN / BP 123 / 75002 PARIS CEDEX 02 / FRANCE"},
		{"US", contact.Address{Lines: []string{"1600 Pennsylvania Ave NW"}, Postcode: "20500", City: "Washington", Country: "US"},
			"ÉLODIE MARTIN / 1600 PENNSYLVANIA AVENUE NW / WASHINGTON 20500"},
		{"US with state field", contact.Address{Lines: []string{"1600 Pennsylvania Ave NW"}, Postcode: "20500", City: "Washington", Region: "dc", Country: "US"},
			"ÉLODIE MARTIN / 1600 PENNSYLVANIA AVENUE NW / WASHINGTON, DC 20500"},
		{"US with state in the city", contact.Address{Lines: []string{"42 Main St"}, Postcode: "62701", City: "Springfield, IL", Country: "USA"},
			"ÉLODIE MARTIN / 42 MAIN STREET / SPRINGFIELD, IL 62701"},
		{"GB", contact.Address{Lines: []string{"10 Downing St"}, Postcode: "SW1A 2AA", City: "London", Country: "GB"},
			"ÉLODIE MARTIN / 10 DOWNING STREET / LONDON / SW1A 2AA"},
		{"DE", contact.Address{Lines: []string{"Hauptstr. 5a"}, Postcode: "10115", City: "Berlin", Country: "DE"},
			"ÉLODIE MARTIN / HAUPTSTRASSE 5A / 10115 BERLIN"},
		{"BE", contact.Address{Lines: []string{"Rue de la Loi 16"}, Postcode: "1000", City: "Bruxelles", Country: "Belgique"},
			"ÉLODIE MARTIN / RUE DE LA LOI 16 / 1000 BRUXELLES / BELGIUM"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := strings.Join(n.FormatPostal(n.Address(c.in), "Élodie Martin"), " / ")
			if got != c.want {
				t.Errorf("FormatPostal = %q\n             want %q", got, c.want)
			}
		})
	}
	// Without lines, street and number are put in the country's order.
	a := contact.NormAddress{Street: contact.Field{Value: "HAUPTSTRASSE", Status: valid}, Number: "5A",
		Postcode: contact.Field{Value: "10115", Status: valid}, City: contact.Field{Value: "BERLIN", Status: valid},
		Country: contact.Field{Value: "DE", Status: valid}}
	if got := strings.Join(n.FormatPostal(a, ""), " / "); got != "HAUPTSTRASSE 5A / 10115 BERLIN" {
		t.Errorf("FormatPostal without lines = %q", got)
	}
}
