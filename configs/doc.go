// Package configs reads Sluice's YAML configuration: the schema (Config and
// the types it holds), its defaults, and its validation.
//
// Load and Parse work in three steps, in the manner of Knative and
// Prometheus: decode strictly (an unknown key, a value of the wrong type or
// a malformed duration is an error), fill the defaults, then validate. Each
// step reports every problem it finds, not only the first, as an Errors
// value whose lines read "file:line: field: message"; line numbers come from
// the YAML syntax tree, so problems found after decoding still point at the
// key that caused them. Validation runs only on a file that decoded cleanly.
//
// The example files quickstart.yaml and bench.yaml live beside this package
// and are loaded by its tests.
//
// The package does no IO besides Load's reading of one file and
// Config.KeyHashes's reading of the secrets API keys refer to (through
// Secrets, which tests replace), and imports only costmodel (for the
// capacity curve type).
package configs
