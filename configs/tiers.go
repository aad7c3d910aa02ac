package configs

import "fmt"

// Tier is an ordered list of pools that can serve the same models.
type Tier struct {
	// Name is non-empty and unique among tiers.
	Name string `yaml:"name"`
	// Pools names at least one pool, each defined under pools and listed
	// once.
	Pools []string `yaml:"pools"`
}

// tiers checks the tiers against the set of pool names and returns the set
// of their non-empty names.
func (c *checker) tiers(ts []Tier, pools map[string]bool) map[string]bool {
	names, used := map[string]bool{}, map[string]string{}
	for i, t := range ts {
		f := fmt.Sprintf("tiers[%d]", i)
		c.name(f+".name", t.Name, used)
		names[t.Name] = t.Name != ""
		c.tierPools(f+".pools", t.Pools, pools)
	}
	return names
}

func (c *checker) tierPools(f string, names []string, pools map[string]bool) {
	if len(names) == 0 {
		c.addf(f, "at least one pool is required")
	}
	used := map[string]string{}
	for i, name := range names {
		pf := fmt.Sprintf("%s[%d]", f, i)
		if !pools[name] {
			c.addf(pf, "pool %q is not defined under pools", name)
			continue
		}
		c.unique(used, name, pf)
	}
}
