// Package sluice is the root of the Sluice module: a cost-aware inference
// gateway for the Open Inference Protocol v2. The packages below it are
// mapped in README.md (Architecture); this package holds only module-wide tests.
package sluice
