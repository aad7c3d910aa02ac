package configs

import "time"

// Scaler configures the embedded scaler.
type Scaler struct {
	// Interval between decisions; > 0, default 2s (DefaultScalerInterval).
	Interval time.Duration `yaml:"interval"`
}

// Budget caps spending.
type Budget struct {
	// PerHour is the ceiling of the fleet's price in USD per hour; >= 0,
	// and 0 (the default) means no cap.
	PerHour float64 `yaml:"per_hour"`
}
