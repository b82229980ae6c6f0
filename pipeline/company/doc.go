// Package company validates and normalizes company identifiers: French SIREN and SIRET
// (Luhn, with La Poste's exception), VAT numbers of the EU member states (and GB/XI,
// format only) with their check digits where the algorithm is known, UK Companies House
// numbers, German Handelsregister numbers, LEIs (ISO 17442) and D-U-N-S numbers.
//
// Every validator takes the raw input and returns a contact.Field:
//
//   - missing: the input was empty (or only spaces and separators);
//   - valid: the input was already in canonical form (surrounding spaces aside);
//   - corrected: the input was usable after cleaning: spaces, dots, dashes, slashes,
//     commas, colons and parentheses removed, upper-cased, zero-padded, or a prefix
//     fixed (GR → EL);
//   - invalid: Value holds the trimmed input and Issues says why, with codes such as
//     "siren.bad_length", "siren.bad_checksum", "siren.all_zero", "siret.bad_siren",
//     "vat.bad_format", "vat.bad_key", "vat.bad_checksum", "vat.unknown_country",
//     "lei.bad_checksum", "duns.bad_length".
//
// A usable field may still carry an informational issue, e.g. "vat.unverifiable_key" for
// a French VAT number with one of the newer alphanumeric keys, whose algorithm is not
// checked here. Validating a usable Value again gives the same Value with status valid.
//
// Check digits prove that a number is well formed, not that it was ever issued: only a
// registry (INSEE Sirene, VIES, GLEIF, Companies House) can tell that.
//
// The functions are pure (no I/O) and safe for concurrent use. The package must not
// import warehouse, handlers, web, Kafka, Watermill or SQL packages.
package company
