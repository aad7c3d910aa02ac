package configs

// Auth selects how clients authenticate.
type Auth struct {
	// Mode is one of: "none" (the default, AuthNone), which admits every
	// request.
	Mode string `yaml:"mode"`
}

// RateLimit is a token bucket: Rate requests per second on average, bursts
// of up to Burst.
type RateLimit struct {
	// Rate is in requests per second; > 0.
	Rate float64 `yaml:"rate"`
	// Burst is the bucket's size; >= 1, default max(1, ceil(Rate)).
	Burst int `yaml:"burst"`
}
