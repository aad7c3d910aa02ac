// Package apptest holds what the end-to-end tests of Sluice share, those
// of internal/app (Sluice started in the test's process) and those of
// cmd/sluice (the binary as a process): a Log that tests wait on for the
// events Sluice logs instead of polling for their effects, the samples of
// a Prometheus scrape, calls of the emulated workers' sum model with
// their answers checked, and the external tools some tests run.
//
// It is for tests only; nothing of Sluice's own imports it.
package apptest
