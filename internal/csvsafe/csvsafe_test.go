package csvsafe

import "testing"

func TestCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"Anne", "Anne"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"-2+3", "'-2+3"},
		{"+cmd", "'+cmd"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"+33612345678", "+33612345678"},
		{"+33612345678; +447993337364", "+33612345678; +447993337364"},
		{"+33612345678; =1+1", "'+33612345678; =1+1"},
		{"+33612345678;", "'+33612345678;"},
		{"+", "'+"},
		{"crm:=1", "crm:=1"},
	} {
		if got := Cell(c.in); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCellSemicolon(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Directeur;=cmd|' /C calc'!A0", "Directeur;'=cmd|' /C calc'!A0"},
		{"a;b;@x;-y", "a;b;'@x;'-y"},
		{"=1;=2", "'=1;'=2"},
		{"a;", "a;"},
		{";=1", ";'=1"},
		{"+33612345678; +447993337364", "+33612345678; +447993337364"},
		{"a; b", "a; b"},
	} {
		if got := Cell(c.in); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
