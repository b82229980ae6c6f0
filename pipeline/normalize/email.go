package normalize

import (
	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/steward-crm/steward/contact"
)

// Emails normalizes a field that may hold several addresses ("a@x.fr; b@y.fr"): one
// result per address, none for an empty field. What a separator (";", ",", a line
// break) sets apart from an address is a result of its own ("a@x.fr, n/a": the address,
// valid, and an invalid placeholder), but a word between addresses written with spaces
// only ("a@x.fr ou b@y.fr") is not.
func (n *Normalizer) Emails(raw string) []contact.Email { return n.appendEmails(nil, raw) }

// appendEmails appends the addresses of raw to out, as Emails returns them.
func (n *Normalizer) appendEmails(out []contact.Email, raw string) []contact.Email {
	if strings.TrimSpace(raw) == "" {
		return out
	}
	raw = withoutMailtoQuery(raw)
	if strings.Count(raw, "@") < 2 && !strings.ContainsAny(raw, ";,\n") {
		return append(out, n.Email(raw))
	}
	var parts []string
	var seps []byte // seps[i]: the separator after parts[i]
	from := 0
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c == ';' || c == ',' || c == '\n' {
			parts, seps = append(parts, raw[from:i]), append(seps, c)
			from = i + 1
		}
	}
	parts = append(parts, raw[from:])
	for i, part := range parts {
		if i+1 < len(parts) && !strings.Contains(part, "@") {
			next := parts[i+1]
			switch {
			case strings.Contains(next, "<"):
				// A display name cut at its comma ("Martin, Élodie <e.martin@example.fr>"):
				// its first half goes with the address that follows.
				parts[i+1] = part + "," + next
				continue
			case seps[i] != '\n' && strings.Contains(next, "@") && glued(part, next) && !n.isPlaceholder(strings.TrimSpace(part)):
				// A separator inside one word is the address's ("jean,dupont@x.fr", a
				// comma typed for a dot): not two addresses, nor "dupont@x.fr".
				parts[i+1] = part + string(seps[i]) + next
				continue
			}
		}
		if strings.Count(part, "@") > 1 && !strings.Contains(part, "<") {
			for _, p := range strings.Fields(part) {
				if strings.Contains(p, "@") {
					out = append(out, n.Email(p))
				}
			}
			continue
		}
		if strings.TrimSpace(part) != "" {
			out = append(out, n.Email(part))
		}
	}
	return out
}

// glued reports whether part and next, split at a separator, are one word: no space
// around the separator, and none in part.
func glued(part, next string) bool {
	p := strings.TrimLeftFunc(part, unicode.IsSpace)
	return p != "" && strings.IndexFunc(p, unicode.IsSpace) < 0 && next != "" && !unicode.IsSpace(rune(next[0]))
}

// withoutMailtoQuery removes the query of a mailto: link ("?subject=a,b&cc=..."), up to
// the next space: its separators and addresses are not the contact's.
func withoutMailtoQuery(raw string) string {
	t := strings.TrimLeftFunc(raw, unicode.IsSpace)
	if len(t) < 7 || !strings.EqualFold(t[:7], "mailto:") {
		return raw
	}
	q := strings.IndexByte(raw, '?')
	if q < 0 {
		return raw
	}
	end := len(raw)
	if j := strings.IndexFunc(raw[q:], unicode.IsSpace); j >= 0 {
		end = q + j
	}
	return raw[:q] + raw[end:]
}

// Email normalizes one e-mail address: cleaned, full-width forms folded to ASCII,
// "mailto:", a display name ("Name
// <a@b.fr>") and a trailing comment ("a@b.fr (perso)") stripped, domain lower-cased (an
// internationalized domain stays in Unicode, lower case, NFC), syntax checked. Value
// keeps the local part as written; Key is the comparison key (lower case; for Gmail dots
// removed and googlemail read as gmail; "+tags" folded for providers that ignore them).
// Class is disposable, role, freemail or corporate. A known domain typo is reported as
// "email.typo_domain_suggested:<domain>", never rewritten in Value; the suggestion's
// class is used so that a misspelt free-mail domain is not taken for a company's, and Key
// is built on the suggestion, so that "jane@gmial.com" compares and blocks as the
// "jane@gmail.com" it was meant to be (Domain stays as written).
func (n *Normalizer) Email(raw string) contact.Email {
	s := clean(raw)
	cleaned := s
	if s == "" {
		return contact.Email{Field: contact.Missing()}
	}
	if n.isPlaceholder(s) {
		return contact.Email{Field: invalid(raw, "email.placeholder")}
	}
	var issues []string
	if w := foldFullWidth(s); w != s {
		// An East Asian input method's full-width forms ("jean.dupuy@ＧＭＡＩＬ.com",
		// "＠"): the address a mail server reads is the ASCII one (IDNA maps them so),
		// and the value kept the full-width letters, classed corporate.
		s = w
		issues = append(issues, "email.width_folded")
	}
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
		if i := strings.IndexByte(s, '?'); i >= 0 {
			s = s[:i]
		}
		issues = append(issues, "email.mailto_stripped")
	}
	// A note after the address, in parentheses ("jean@free.fr (perso)", as RFC 5322
	// writes a comment): the address is what comes before it, when that is one word.
	if i := strings.LastIndexByte(s, '('); i > 0 && s[i-1] == ' ' && strings.HasSuffix(s, ")") {
		if before := strings.TrimSpace(s[:i]); strings.Contains(before, "@") && !strings.ContainsAny(before, " <>()") {
			s = before
			issues = append(issues, "email.comment_stripped")
		}
	}
	if i, j := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>'); i >= 0 && j > i {
		s = s[i+1 : j]
		issues = append(issues, "email.display_name_stripped")
	}
	// A dot may end a sentence after the address, never start one: the local part is not
	// guessed.
	if t := strings.TrimRight(strings.TrimLeft(s, " \"'()[]<>,;:"), " \"'()[]<>,;:."); t != s {
		s = t
		issues = append(issues, "email.punctuation_stripped")
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return contact.Email{Field: invalid(raw, "email.missing_at")}
	}
	local, domain := strings.TrimSpace(s[:at]), strings.TrimSpace(s[at+1:])
	if strings.ContainsRune(local, ' ') || strings.ContainsRune(domain, ' ') {
		return contact.Email{Field: invalid(raw, "email.contains_space")}
	}
	if len(local)+1+len(domain) != len(s) {
		issues = append(issues, "email.space_removed")
	}
	domain = strings.ToLower(domain)
	if !isASCII(domain) {
		// Lower case can undo NFC: "Y" + combining ring has no precomposed capital, but
		// "y" + ring is "ẙ". Composing again keeps normalization idempotent.
		domain = norm.NFC.String(domain)
	}
	if code := checkLocal(local); code != "" {
		return contact.Email{Field: invalid(raw, code)}
	}
	idn, code := checkDomain(domain)
	if code != "" {
		return contact.Email{Field: invalid(raw, code)}
	}
	if idn {
		issues = append(issues, "email.idn_domain")
	}
	value := s // the common case: nothing to rebuild
	if len(local)+1+len(domain) != len(s) || s[:len(local)] != local || s[len(local)+1:] != domain {
		value = local + "@" + domain
	}
	classDomain := domain
	if good := n.typoSuggestion(domain); good != "" {
		issues = append(issues, issueTypoDomain+good)
		classDomain = good
	}
	st := contact.StatusCorrected
	if value == cleaned {
		st = contact.StatusValid
	}
	return contact.Email{
		Field:  contact.Field{Value: value, Status: st, Issues: issues},
		Key:    n.emailKey(local, classDomain),
		Domain: domain,
		Class:  n.emailClass(local, classDomain),
	}
}

// issueTypoDomain prefixes the issue code of a known misspelt domain; the suggestion
// follows it.
const issueTypoDomain = "email.typo_domain_suggested:"

// typoSuggestion returns the domain a misspelt one was meant to be, or "".
func (n *Normalizer) typoSuggestion(domain string) string {
	if good, ok := n.t.DomainTypos[domain]; ok {
		return good
	}
	dot := strings.LastIndexByte(domain, '.')
	if good, ok := n.t.TLDTypos[domain[dot+1:]]; ok {
		return domain[:dot+1] + good
	}
	return ""
}

func (n *Normalizer) emailClass(local, domain string) string {
	switch l := strings.ToLower(local); {
	case n.t.Disposable[domain]:
		return "disposable"
	case n.t.RoleLocal[l], n.t.RoleLocal[strings.TrimRight(l, "0123456789")]:
		return "role"
	case n.t.FreeMail[domain]:
		return "freemail"
	}
	return "corporate"
}

// emailKey is the comparison key of an address whose syntax has been checked. An
// internationalized domain is compared in its ASCII (punycode) form, so that
// "jane@bücher.de" and "jane@xn--bcher-kva.de" are one address; the display value keeps
// the Unicode form.
func (n *Normalizer) emailKey(local, domain string) string {
	local = strings.ToLower(local)
	if !isASCII(local) {
		local = norm.NFC.String(local) // see Email: lower case can undo NFC
	}
	if !isASCII(domain) { // an ASCII domain is its own ASCII form (it is lower case here)
		if ascii, err := idna.Lookup.ToASCII(domain); err == nil && ascii != "" {
			domain = ascii
		}
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if n.t.PlusTagDomains["*"] || n.t.PlusTagDomains[domain] {
		if i := strings.IndexByte(local, '+'); i > 0 {
			local = local[:i]
		}
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}

// checkLocal returns the issue code of a malformed local part, or "".
func checkLocal(local string) string {
	switch {
	case local == "":
		return "email.empty_local"
	case len(local) > 64:
		return "email.local_too_long"
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return "email.dot_misplaced"
	case strings.ContainsAny(local, "@\"(),:;<>[\\]"):
		return "email.invalid_local_char"
	}
	for _, r := range local {
		if r < 0x21 || r == 0x7f || (r > 0x7f && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)) {
			return "email.invalid_local_char"
		}
	}
	return ""
}

// checkDomain returns whether domain holds non-ASCII letters (IDN) and the issue code of
// a malformed domain, or "".
func checkDomain(domain string) (idn bool, code string) {
	if domain == "" {
		return false, "email.empty_domain"
	}
	if len(domain) > 253 {
		return false, "email.domain_too_long"
	}
	if domain[0] == '[' {
		return false, "email.ip_domain"
	}
	labels, tld := 0, ""
	for l := range strings.SplitSeq(domain, ".") {
		labels, tld = labels+1, l
		if l == "" || utf8.RuneCountInString(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false, "email.invalid_domain"
		}
		for _, r := range l {
			switch {
			case r == '-', r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)):
				idn = true
			default:
				return false, "email.invalid_domain"
			}
		}
	}
	if labels < 2 {
		return false, "email.domain_no_dot"
	}
	if utf8.RuneCountInString(tld) < 2 || strings.IndexFunc(tld, unicode.IsDigit) >= 0 && !strings.HasPrefix(tld, "xn--") {
		return false, "email.invalid_tld"
	}
	return idn, ""
}

// foldFullWidth maps the full-width forms of ASCII characters (U+FF01–U+FF5E) and the
// ideographic space to ASCII; other characters are kept.
func foldFullWidth(s string) string {
	if isASCII(s) || !strings.ContainsFunc(s, isFullWidthASCII) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

func isFullWidthASCII(r rune) bool { return (r >= 0xFF01 && r <= 0xFF5E) || r == 0x3000 }
