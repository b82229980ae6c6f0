package normalize

// Reference lists that rules.Tables has no key for yet. They belong in
// rules/default/tables like the others: rules.tableFiles rejects unknown keys, so moving
// them needs new fields in package rules (see the package note in doc.go). Keys are folded
// with fold.Key unless said otherwise.

// placeholders are values that stand for "no value" in any field.
var placeholders = map[string]bool{
	"": true, "n a": true, "na": true, "none": true, "null": true, "nil": true, "nan": true,
	"unknown": true, "inconnu": true, "inconnue": true, "neant": true, "aucun": true,
	"aucune": true, "nc": true, "n c": true, "nr": true, "n r": true, "test": true,
	"tbd": true, "tba": true, "keine": true, "unbekannt": true, "k a": true, "x": true,
	"no": true, "non": true, "nein": true, "pas de": true, "sans": true, "ohne": true,
	"not available": true, "not applicable": true, "non renseigne": true, "nd": true,
}

// plusTagDomains are mail providers that deliver "local+tag@domain" to "local@domain", so
// the tag is folded in comparison keys. Gmail also ignores dots (handled in email.go).
var plusTagDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "outlook.fr": true,
	"hotmail.com": true, "hotmail.fr": true, "hotmail.co.uk": true, "hotmail.de": true,
	"live.com": true, "live.fr": true, "msn.com": true, "icloud.com": true, "me.com": true,
	"mac.com": true, "protonmail.com": true, "proton.me": true, "fastmail.com": true,
	"yandex.com": true, "yandex.ru": true, "zoho.com": true,
}

// tldTypos are misspelt top-level domains that exist nowhere, with the intended one.
var tldTypos = map[string]string{
	"con": "com", "cmo": "com", "ocm": "com", "comm": "com", "cpm": "com", "vom": "com",
	"xom": "com", "coom": "com", "fe": "fr", "frr": "fr", "ner": "net", "nte": "net",
	"og": "org", "ogr": "org",
}

// poBoxWords start a post-office box line; the value is the canonical label.
var poBoxWords = map[string]string{
	"bp": "BP", "b p": "BP", "boite postale": "BP", "cs": "CS", "tsa": "TSA",
	"po box": "PO BOX", "p o box": "PO BOX", "pobox": "PO BOX", "post office box": "PO BOX",
	"postfach": "POSTFACH", "apartado": "APARTADO", "casella postale": "CP",
}

// numberSuffixes are the words that follow a house number ("12 bis").
var numberSuffixes = map[string]string{
	"bis": "BIS", "b": "B", "ter": "TER", "t": "TER", "quater": "QUATER", "q": "QUATER",
	"quinquies": "QUINQUIES",
}

// complementWords start an address line that is not the street (flat, building, c/o).
var complementWords = map[string]bool{
	"flat": true, "apt": true, "apartment": true, "appt": true, "appartement": true,
	"unit": true, "suite": true, "batiment": true, "bat": true, "bt": true, "building": true,
	"residence": true, "res": true, "escalier": true, "esc": true, "etage": true,
	"c o": true, "chez": true, "attn": true, "z hd": true, "wohnung": true, "floor": true,
	"lieu dit": true, "zi": true, "za": true, "zac": true, "zone": true,
}

// countryNames are the country lines of FormatPostal (English, upper case, as UPU lists).
var countryNames = map[string]string{
	"FR": "FRANCE", "US": "UNITED STATES", "GB": "UNITED KINGDOM", "DE": "GERMANY",
	"BE": "BELGIUM", "CH": "SWITZERLAND", "ES": "SPAIN", "IT": "ITALY", "NL": "NETHERLANDS",
	"LU": "LUXEMBOURG", "AT": "AUSTRIA", "PT": "PORTUGAL", "IE": "IRELAND", "CA": "CANADA",
}

// months maps month names and abbreviations in English, French, German, Spanish and
// Italian (folded, dots removed) to their number.
var months = map[string]int{
	"january": 1, "jan": 1, "janvier": 1, "janv": 1, "januar": 1, "janner": 1, "enero": 1, "gennaio": 1,
	"february": 2, "feb": 2, "fevrier": 2, "fev": 2, "fevr": 2, "februar": 2, "febrero": 2, "febbraio": 2,
	"march": 3, "mar": 3, "mars": 3, "marz": 3, "maerz": 3, "mrz": 3, "marzo": 3,
	"april": 4, "apr": 4, "avril": 4, "avr": 4, "abril": 4, "aprile": 4,
	"may": 5, "mai": 5, "mayo": 5, "maggio": 5,
	"june": 6, "jun": 6, "juin": 6, "juni": 6, "junio": 6, "giugno": 6,
	"july": 7, "jul": 7, "juillet": 7, "juil": 7, "juli": 7, "julio": 7, "luglio": 7,
	"august": 8, "aug": 8, "aout": 8, "agosto": 8,
	"september": 9, "sep": 9, "sept": 9, "septembre": 9, "septiembre": 9, "settembre": 9,
	"october": 10, "oct": 10, "octobre": 10, "oktober": 10, "okt": 10, "octubre": 10, "ottobre": 10,
	"november": 11, "nov": 11, "novembre": 11, "noviembre": 11,
	"december": 12, "dec": 12, "decembre": 12, "dezember": 12, "dez": 12, "diciembre": 12, "dicembre": 12,
}

// usStates are the USPS codes of US states, DC and territories.
var usStates = map[string]bool{
	"AL": true, "AK": true, "AZ": true, "AR": true, "CA": true, "CO": true, "CT": true, "DE": true,
	"DC": true, "FL": true, "GA": true, "HI": true, "ID": true, "IL": true, "IN": true, "IA": true,
	"KS": true, "KY": true, "LA": true, "ME": true, "MD": true, "MA": true, "MI": true, "MN": true,
	"MS": true, "MO": true, "MT": true, "NE": true, "NV": true, "NH": true, "NJ": true, "NM": true,
	"NY": true, "NC": true, "ND": true, "OH": true, "OK": true, "OR": true, "PA": true, "RI": true,
	"SC": true, "SD": true, "TN": true, "TX": true, "UT": true, "VT": true, "VA": true, "WA": true,
	"WV": true, "WI": true, "WY": true, "PR": true, "GU": true, "VI": true, "AS": true, "MP": true,
}
