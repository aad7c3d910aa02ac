package configs

import "testing"

// modelsBad lists the models' bad files and their problems, in order.
var modelsBad = []badCase{
	{"duplicate-model", []string{`duplicate-model.bad.yaml:4: models[1].name: "m" duplicates models[0].name`}},
	{"missing-tier", []string{`missing-tier.bad.yaml:3: models[0].tier: tier "heavy" is not defined`}},
	{"no-models", []string{"no-models.bad.yaml:2: models: at least one model is required"}},
	{"fallback", []string{
		`fallback.bad.yaml:2: models[0].fallback: model "small" is not defined under models`,
		`fallback.bad.yaml:3: models[1].fallback: "mid" is the model itself`,
	}},
	{"model-rate-limit", []string{
		"model-rate-limit.bad.yaml:4: models[0].rate_limit.rate: -1 must be > 0 and finite",
		"model-rate-limit.bad.yaml:7: models[1].rate_limit.burst: -2 must be >= 1",
	}},
}

func TestModelsBad(t *testing.T) { loadBad(t, modelsBad) }
