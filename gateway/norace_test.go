//go:build !race

package gateway_test

// raceDetector reports whether the tests run under the race detector,
// which slows the gateway about tenfold: too much for load tests to offer
// a constant rate.
const raceDetector = false
