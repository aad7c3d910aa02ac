package kubernetes

import "github.com/sluice-gateway/sluice/scaler"

// The Driver is a scaler.Actuator as it is, with no adapter; the package
// itself does not import scaler, so this guard lives in a test.
var _ scaler.Actuator = (*Driver)(nil)
