// Package synth generates deterministic synthetic CRM contacts (persons, half of them B2B
// contacts of a company) with ground truth, for steward's benchmarks and accuracy tests.
//
// A Generator streams Config.N records entity by entity. Every record carries its
// ground-truth entity in Attributes["entity_id"] ("E000123"); records that share an
// entity id are duplicates of one another (different sources, different corruption), and
// records with different ids are different people, however alike they look.
//
// # Entities
//
// Base entities are clean and realistic per country (FR, US, GB, DE): given and family
// names drawn from sizable frequency-skewed lists plus a long tail of rare synthesized
// surnames (so that term frequency matters), particles ("de la Fontaine", "van der Berg",
// "O'Brien"), hyphenated given names; civility consistent with gender; free-mail or
// corporate e-mail; phones that are valid for their type under libphonenumber's rules;
// a postal address whose postcode, city and phone area agree; birth dates for about 60%;
// and for B2B contacts a company with a legal form, a website, a switchboard and, in
// France, a SIREN/SIRET/VAT whose check digits are valid.
//
// # Duplicates and corruption
//
// Each entity has 1 record or 2..MaxPerEntity records; the sizes are steered so that the
// share of duplicate records (records beyond the first of their entity) tracks
// Config.DupRate. Every record is a rendering of the entity through a source profile
// (a webshop has e-mails and delivery addresses, a call center phones, an ERP company
// identifiers...). The first record of an entity is clean; the others are corrupted:
// each corruption operation of the model (typos, dropped accents, case, swapped names,
// nicknames, initials, full name only, phone and date formats, missing fields, older
// e-mail, address abbreviations, country forms, company name variants...) fires with a
// probability proportional to Config.Corruption. A duplicate always keeps a
// recognizable name and at least one strong piece of evidence (e-mail, phone, birth
// date, street address or company identifier) shared with the entity's first record.
//
// Hard negatives are generated on purpose, more often as Corruption grows: household
// members sharing family name, address and landline; namesakes in the same city or
// elsewhere; father and son with the same name at the same address; colleagues sharing
// a company, its address, switchboard and e-mail domain.
//
// # Companies
//
// Companies come from a per-country universe that is a pure function of the seed:
// CompanyAt(seed, country, i). A generator draws B2B companies from the first
// CompanyUniverse(country) companies with a skewed (Zipf) popularity, so memory stays
// bounded whatever N; Generator.Companies lists them. WriteRegistry writes a SIRENE-format establishment file of the
// French companies of the same universe, including companies no contact uses,
// several establishments per company and closed establishments.
//
// # Determinism
//
// The same Config produces byte-identical output: all randomness comes from math/rand/v2
// PCG sources seeded from Config.Seed, and nothing iterates over maps.
package synth
