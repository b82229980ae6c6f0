package fold

import "testing"

func TestKey(t *testing.T) {
	cases := []struct{ in, key, compact string }{
		{"Lefèvre", "lefevre", "lefevre"},
		{"  ÉLODIE  ", "elodie", "elodie"},
		{"O'Brien", "o brien", "obrien"},
		{"Jean-Pierre", "jean pierre", "jeanpierre"},
		{"Straße", "strasse", "strasse"},
		{"Müller-Lüdenscheidt", "muller ludenscheidt", "mullerludenscheidt"},
		{"Cœur", "coeur", "coeur"},
		{"van der  Berg", "van der berg", "vanderberg"},
		{"", "", ""},
		{"...", "", ""},
		{"12 bd. Haussmann", "12 bd haussmann", "12bdhaussmann"},
		{"already plain", "already plain", "alreadyplain"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := Key(c.in); got != c.key {
				t.Errorf("Key(%q) = %q, want %q", c.in, got, c.key)
			}
			if got := Compact(c.in); got != c.compact {
				t.Errorf("Compact(%q) = %q, want %q", c.in, got, c.compact)
			}
		})
	}
}

func FuzzKey(f *testing.F) {
	for _, s := range []string{"Lefèvre", "O'Brien", "Straße", "\xff", "  a  b "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Key(s)
		if Key(k) != k {
			t.Fatalf("not idempotent: Key(%q)=%q, Key(that)=%q", s, k, Key(k))
		}
	})
}
