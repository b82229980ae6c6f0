package company

import (
	"maps"
	"slices"
	"strings"

	"github.com/steward-crm/steward/fold"
)

// NameKey folds a company name and strips legal forms from its start and end. forms maps
// folded spellings to the canonical form (rules.Tables.LegalForms[country]); form is the
// canonical form found last ("" when none). It is the key registry entries and contacts
// are compared on, so both sides must use the same forms.
func NameKey(name string, forms map[string]string) (key, form string) {
	toks := strings.Fields(fold.Key(name))
	for changed := true; changed && len(toks) > 1; {
		changed = false
		for k := min(4, len(toks)-1); k >= 1; k-- {
			if f, ok := forms[strings.Join(toks[len(toks)-k:], " ")]; ok {
				toks, form, changed = toks[:len(toks)-k], f, true
				break
			}
			if f, ok := forms[strings.Join(toks[:k], " ")]; ok {
				toks, form, changed = toks[k:], f, true
				break
			}
		}
	}
	return strings.Join(toks, " "), form
}

// AllForms merges every country's legal forms, for names whose country is unknown. A
// spelling that countries read as different forms ("bv": SRL in Belgium, BV in the
// Netherlands) is still stripped from the name, but names no form (""): which one is
// meant cannot be told without the country.
func AllForms(byCountry map[string]map[string]string) map[string]string {
	out := map[string]string{}
	for _, cc := range slices.Sorted(maps.Keys(byCountry)) {
		for k, v := range byCountry[cc] {
			if prev, ok := out[k]; !ok {
				out[k] = v
			} else if prev != v {
				out[k] = ""
			}
		}
	}
	return out
}
