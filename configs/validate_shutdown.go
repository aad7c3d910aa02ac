package configs

// shutdown checks the shutdown section.
func (c *checker) shutdown(s Shutdown) {
	c.positive("shutdown.drain_timeout", s.DrainTimeout)
}
