package system

import (
	"log/slog"
	"time"
)

// costSampleInterval is how often the load benchmark reads the fleet's
// replicas from the admin API.
const costSampleInterval = time.Second

// adminPool is one pool in GET /admin/pools, as far as its cost goes.
type adminPool struct {
	Name     string `json:"name"`
	Ready    int    `json:"ready"`
	Starting int    `json:"starting"`
	// PricePerHour is one replica's price in USD per hour when the admin
	// API gives it; nil otherwise.
	PricePerHour *float64 `json:"price_per_hour"`
	// Queue counts what the pool's queue dispatched.
	Queue struct {
		Batches uint64 `json:"batches"`
		Items   uint64 `json:"items"`
	} `json:"queue"`
}

// startCostMeter starts sampling the fleet of o.Admin every
// costSampleInterval, priced by o.Config where the admin API gives no
// price; nil without --admin.
func startCostMeter(o LoadOptions, log *slog.Logger) (*fleetPoller, error) {
	if o.Admin == "" {
		return nil, nil
	}
	prices, err := loadPrices(o.Config)
	if err != nil {
		return nil, err
	}
	return startFleetPoller(o.Admin, prices, costSampleInterval, log), nil
}
