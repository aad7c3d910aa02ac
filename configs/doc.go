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
// Each section of the file has one Go file that holds its types, its
// Default constants, the filling of those defaults and its validation:
// listen.go, auth.go, models.go, tiers.go, pools.go, queue.go, routes.go,
// health.go, retry.go, cache.go, calibration.go, scaler.go, budget.go,
// tenants.go, state.go, shutdown.go, limits.go, admin.go, tls.go and protocol.go. pools.go also
// builds the pools' one description for the rest of Sluice (Config.Fleet,
// the one reader of price_per_hour); workers.go holds the keys of a pool
// that say who runs its workers (a command, fixed endpoints, a DNS name,
// or the emulator) and a pool's PoolKind, which the rest of Sluice asks
// rather than reading those keys itself. config.go ties the sections together
// (Config.PoolSLOs reads models, tiers and pools at once), load.go and
// decode.go parse with file:line positions, check.go holds what the
// sections' checks share, and errors.go the error types. A new section,
// or a new key of one, goes into its section's file; a section adds one
// line to Config.ApplyDefaults and one to validate, and its
// testdata/*.bad.yaml files are listed in its test file's table.
//
// The Default constants are the only definition of Sluice's defaults: the
// packages the configuration feeds (router, scaler, xds, batcher, the
// simulator) have none of their own for these values and are handed them.
//
// The example files quickstart.yaml and bench.yaml live beside this package
// and are loaded by its tests; quickstart.yaml shows every key, and the
// values it marks "(default)" are checked against the Default constants.
//
// The package does no IO besides Load's reading of one file and
// Config.KeyHashes's reading of the secrets API keys refer to (through
// Secrets, which tests replace), and imports only costmodel (for the
// capacity curve type and the Fleet it builds).
package configs
