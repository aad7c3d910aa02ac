// Package apptest holds what the tests of Sluice share. For the
// end-to-end tests — of internal/app (Sluice started in the test's
// process) and of cmd/sluice (the binary as a process) — a Log that tests
// wait on for the events Sluice logs instead of polling for their
// effects, WaitUntil for a state only read, the samples of a Prometheus
// scrape, and calls of the emulated workers' sum model with their answers
// checked; for any test, the external tools some tests run and a
// settable Clock.
//
// It is for tests only; nothing of Sluice's own imports it.
package apptest
