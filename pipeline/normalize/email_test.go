package normalize

import (
	"github.com/steward-crm/steward/rules"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
)

func TestEmail(t *testing.T) {
	n := newTest(t)
	cases := []struct {
		name, raw         string
		value             string
		status            contact.Status
		key, domain, clas string
		issue             string
	}{
		{"clean", "jane.doe@example.com", "jane.doe@example.com", valid, "jane.doe@example.com", "example.com", "corporate", ""},
		{"spaces are cosmetic", "  jane.doe@example.com \t", "jane.doe@example.com", valid, "jane.doe@example.com", "example.com", "corporate", ""},
		{"domain lower-cased, local kept", "E.Martin@Example.FR", "E.Martin@example.fr", corrected, "e.martin@example.fr", "example.fr", "corporate", ""},
		{"mailto", "mailto:jane@example.com", "jane@example.com", corrected, "jane@example.com", "example.com", "corporate", "email.mailto_stripped"},
		{"mailto with a subject", "MAILTO:jane@example.com?subject=Hi", "jane@example.com", corrected, "jane@example.com", "example.com", "corporate", "email.mailto_stripped"},
		{"display name", "Jane Doe <jane@example.com>", "jane@example.com", corrected, "jane@example.com", "example.com", "corporate", "email.display_name_stripped"},
		{"quoted display name", `"Doe, Jane" <jane@example.com>`, "jane@example.com", corrected, "jane@example.com", "example.com", "corporate", "email.display_name_stripped"},
		{"trailing dot", "jane@example.com.", "jane@example.com", corrected, "jane@example.com", "example.com", "corporate", "email.punctuation_stripped"},
		{"quotes", "'jane@example.com'", "jane@example.com", corrected, "jane@example.com", "example.com", "corporate", "email.punctuation_stripped"},
		{"space around @", "jane @ example.com", "jane@example.com", corrected, "jane@example.com", "example.com", "corporate", "email.space_removed"},
		{"gmail dots and tag", "Jane.Doe+news@gmail.com", "Jane.Doe+news@gmail.com", valid, "janedoe@gmail.com", "gmail.com", "freemail", ""},
		{"googlemail is gmail", "jane.doe@googlemail.com", "jane.doe@googlemail.com", valid, "janedoe@gmail.com", "googlemail.com", "freemail", ""},
		{"outlook tag folded, dots kept", "jane.doe+crm@outlook.com", "jane.doe+crm@outlook.com", valid, "jane.doe@outlook.com", "outlook.com", "freemail", ""},
		{"yahoo tag folded in the key only", "jane+x@yahoo.fr", "jane+x@yahoo.fr", valid, "jane@yahoo.fr", "yahoo.fr", "freemail", ""},
		{"corporate tag folded in the key only", "jane+x@example.com", "jane+x@example.com", valid, "jane@example.com", "example.com", "corporate", ""},
		{"role", "info@example.com", "info@example.com", valid, "info@example.com", "example.com", "role", ""},
		{"role with digits", "Contact2@example.com", "Contact2@example.com", valid, "contact2@example.com", "example.com", "role", ""},
		{"role on free mail", "contact@orange.fr", "contact@orange.fr", valid, "contact@orange.fr", "orange.fr", "role", ""},
		{"disposable", "jane@yopmail.com", "jane@yopmail.com", valid, "jane@yopmail.com", "yopmail.com", "disposable", ""},
		{"free mail", "jane.martin@orange.fr", "jane.martin@orange.fr", valid, "jane.martin@orange.fr", "orange.fr", "freemail", ""},
		{"typo suggested, not rewritten, key on the suggestion", "jane@gmial.com", "jane@gmial.com", valid, "jane@gmail.com", "gmial.com", "freemail", "email.typo_domain_suggested:gmail.com"},
		{"typo hotmial.fr", "jane@HOTMIAL.FR", "jane@hotmial.fr", corrected, "jane@hotmail.fr", "hotmial.fr", "freemail", "email.typo_domain_suggested:hotmail.fr"},
		{"TLD typo", "jane@example.con", "jane@example.con", valid, "jane@example.com", "example.con", "corporate", "email.typo_domain_suggested:example.com"},
		{"IDN kept in Unicode, key in punycode", "jane@Bücher.DE", "jane@bücher.de", corrected, "jane@xn--bcher-kva.de", "bücher.de", "corporate", "email.idn_domain"},
		{"IDN in NFD becomes NFC", "jane@bu\u0308cher.de", "jane@bücher.de", valid, "jane@xn--bcher-kva.de", "bücher.de", "corporate", "email.idn_domain"},
		{"punycode input has the same key", "jane@xn--bcher-kva.de", "jane@xn--bcher-kva.de", valid, "jane@xn--bcher-kva.de", "xn--bcher-kva.de", "corporate", ""},
		{"punycode domain", "jane@xn--bcher-kva.de", "jane@xn--bcher-kva.de", valid, "jane@xn--bcher-kva.de", "xn--bcher-kva.de", "corporate", ""},
		{"missing @", "jane.example.com", "jane.example.com", invalidSt, "", "", "", "email.missing_at"},
		{"two @", "jane@doe@example.com", "jane@doe@example.com", invalidSt, "", "", "", "email.invalid_local_char"},
		{"empty local", "@example.com", "@example.com", invalidSt, "", "", "", "email.empty_local"},
		{"local too long", strings.Repeat("a", 65) + "@example.com", strings.Repeat("a", 65) + "@example.com", invalidSt, "", "", "", "email.local_too_long"},
		{"leading dot", ".jane@example.com", ".jane@example.com", invalidSt, "", "", "", "email.dot_misplaced"},
		{"double dot", "ja..ne@example.com", "ja..ne@example.com", invalidSt, "", "", "", "email.dot_misplaced"},
		{"no dot in domain", "jane@localhost", "jane@localhost", invalidSt, "", "", "", "email.domain_no_dot"},
		{"hyphen starts a label", "jane@-example.com", "jane@-example.com", invalidSt, "", "", "", "email.invalid_domain"},
		{"double dot in domain", "jane@example..com", "jane@example..com", invalidSt, "", "", "", "email.invalid_domain"},
		{"numeric TLD", "jane@example.123", "jane@example.123", invalidSt, "", "", "", "email.invalid_tld"},
		{"space inside", "jane doe@example.com", "jane doe@example.com", invalidSt, "", "", "", "email.contains_space"},
		{"comma in domain", "jane@example,com", "jane@example,com", invalidSt, "", "", "", "email.invalid_domain"},
		{"IP literal", "jane@[192.168.0.1]", "jane@[192.168.0.1]", invalidSt, "", "", "", "email.ip_domain"},
		{"empty domain", "jane@", "jane@", invalidSt, "", "", "", "email.empty_domain"},
		{"placeholder", "n/a", "n/a", invalidSt, "", "", "", "email.placeholder"},
		{"empty", " ", "", missing, "", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := n.Email(c.raw)
			checkField(t, "Email("+c.raw+")", got.Field, c.value, c.status, c.issue)
			if got.Key != c.key || got.Domain != c.domain || got.Class != c.clas {
				t.Errorf("key/domain/class = %q/%q/%q, want %q/%q/%q", got.Key, got.Domain, got.Class, c.key, c.domain, c.clas)
			}
		})
	}
}

// TestEmailPlusTagDomainsListed: with plus_tag_domains listing providers instead of "*",
// only their tags are folded.
func TestEmailPlusTagDomainsListed(t *testing.T) {
	r := *rules.Default()
	r.Tables.PlusTagDomains = map[string]bool{"gmail.com": true}
	n, err := New(&r)
	if err != nil {
		t.Fatal(err)
	}
	for raw, key := range map[string]string{
		"Jane.Doe+news@gmail.com": "janedoe@gmail.com",
		"jane+x@example.com":      "jane+x@example.com",
	} {
		if got := n.Email(raw).Key; got != key {
			t.Errorf("Email(%q).Key = %q, want %q", raw, got, key)
		}
	}
}

func TestEmails(t *testing.T) {
	n := newTest(t)
	cases := []struct {
		raw  string
		want []string
	}{
		{"", nil},
		{"jane@example.com", []string{"jane@example.com"}},
		{"jane@example.com; john@example.org", []string{"jane@example.com", "john@example.org"}},
		{"jane@example.com john@example.org", []string{"jane@example.com", "john@example.org"}},
		{"Jane <jane@example.com>, John <john@example.org>", []string{"jane@example.com", "john@example.org"}},
		{"Doe, Jane <jane@example.com>", []string{"jane@example.com"}},
	}
	for _, c := range cases {
		var got []string
		for _, e := range n.Emails(c.raw) {
			got = append(got, e.Value)
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Emails(%q) = %q, want %q", c.raw, got, c.want)
		}
	}
}
