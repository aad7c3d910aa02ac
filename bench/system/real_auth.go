package system

import (
	"fmt"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
)

// realWarmSlack is how long, beyond the slowest cold start, a real system
// may take to have its fleet ready.
const realWarmSlack = 30 * time.Second

// checkRealAuth refuses a configuration whose gateway would not take the
// benchmark's requests, which carry their class in a header and no key.
func checkRealAuth(cfg *configs.Config) error {
	if cfg.Auth.Mode != configs.AuthNone {
		return fmt.Errorf("bench: %s: auth.mode %q: the benchmark sends classes in the %s header and needs auth.mode none", cfg.File, cfg.Auth.Mode, gateway.HeaderPriority)
	}
	return nil
}
