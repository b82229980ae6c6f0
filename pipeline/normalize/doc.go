// Package normalize turns the raw fields of a contact record into clean, comparable and
// honestly labelled values: phones in E.164 with their type and region, e-mail addresses
// with a comparison key and a class, person names with civility, casing, folded and
// phonetic keys, postal addresses split into street, number, postcode and city per
// country, birth dates in ISO form, and the company's name key, domain and identifiers.
//
// Every value is a contact.Field: the normalized Value, a Status (valid: clean or only
// cosmetically changed; corrected: usable after a correction; invalid: present but
// unusable, Value holding the cleaned input; missing) and issue codes such as
// "phone.too_short", "email.typo_domain_suggested:gmail.com", "name.all_caps" or
// "postcode.invalid_format". Nothing is guessed: a likely typo is reported, not rewritten,
// and junk is invalid. Normalizing a normalized value gives the same value.
//
// All reference data comes from rules.Tables (rules/default/tables/*.yaml), not from this
// package: countries, civilities, particles, nicknames, street types, legal forms, e-mail
// domain classes and typos, plus-tag providers, placeholders ("n/a", "inconnu"), PO box
// and address complement words, house-number suffixes, month names, US states and postal
// country names. A deployment changes them without rebuilding steward. Company
// identifiers are validated by package pipeline/company.
//
// Use New for field-level normalizers (tests, previews) and NewName, NewEmail, NewPhone,
// NewAddress, NewDate, NewCompany for the pipeline stages, which fill Record.Norm and
// never touch the raw fields. A Normalizer and its stages are safe for concurrent use.
//
// It is a pure package: it must not import warehouse, handlers, web, Kafka, Watermill or
// SQL packages.
package normalize
