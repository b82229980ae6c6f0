// Package registry imports company registries into the warehouse and exposes the
// warehouse's registry to the pipeline as a company.Directory.
//
// Readers stream CSV files (SIRENE establishments, the GLEIF LEI file, any CSV with a
// column mapping) row by row, picking columns by header name, validating identifiers
// with pipeline/company; rows that fail are counted and reported, never silently
// dropped. Import batches the rows into warehouse.Registry.UpsertCompanies, saving a
// checkpoint (byte offset and line after the last committed row) in the same
// transaction, so that an interrupted import resumes where it stopped: rows after the
// checkpoint are read again, and rows before it are skipped by seeking. Memory does not
// grow with the file.
package registry
