package configs

// Budget caps spending. When the planned fleet costs more, the scaler
// removes the capacity dearest per inference first, then sheds the low and
// normal classes, then serves fallback models.
type Budget struct {
	// PerHour is the ceiling of the fleet's price in USD per hour; >= 0,
	// and 0 (the default) means no cap.
	PerHour float64 `yaml:"per_hour"`
	// PerDay caps a day's spending in USD (midnight to midnight, local
	// time); >= 0, and 0 (the default) means no cap. The scaler reports
	// when the day's projected spending crosses 50, 80 and 100 % of it.
	PerDay float64 `yaml:"per_day"`
}

// budget checks the budget section.
func (c *checker) budget(b Budget) {
	c.nonNegativeNumber("budget.per_hour", b.PerHour)
	c.nonNegativeNumber("budget.per_day", b.PerDay)
}
