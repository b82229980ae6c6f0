// Package csvsafe keeps the cells of the CSV files steward writes for people (export,
// clusters) from being read as formulas when the file is opened in a spreadsheet (CSV
// injection). It must not import anything of steward's.
package csvsafe

import "strings"

// Cell returns s, prefixed with a single quote when a spreadsheet would read it as a
// formula: it starts with =, +, -, @, a tab or a carriage return. A phone number in
// E.164 form ("+" and digits), or a list of them joined with "; ", is left as it is: it
// holds no formula, and its consumers read it as written. A formula character right
// after a ';' gets a quote too: a spreadsheet whose list separator is ';' (French or
// German Excel) splits an unquoted comma-separated line there, and encoding/csv quotes
// no field for a ';'.
func Cell(s string) string {
	if s == "" {
		return s
	}
	if formulaLead(s[0]) && !isPhoneList(s) {
		s = "'" + s
	}
	if strings.IndexByte(s, ';') < 0 {
		return s
	}
	parts := strings.Split(s, ";")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" && formulaLead(parts[i][0]) {
			parts[i] = "'" + parts[i]
		}
	}
	return strings.Join(parts, ";")
}

// formulaLead reports whether a cell starting with c is read as a formula.
func formulaLead(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// isPhoneList reports whether s is "+digits" or several joined with "; ".
func isPhoneList(s string) bool {
	for {
		if len(s) < 2 || s[0] != '+' {
			return false
		}
		i := 1
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 1 {
			return false
		}
		if i == len(s) {
			return true
		}
		if len(s) < i+2 || s[i] != ';' || s[i+1] != ' ' {
			return false
		}
		s = s[i+2:]
	}
}
