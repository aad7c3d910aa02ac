package configs

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Route sends the requests it matches to a tier: every condition its
// Match sets must hold.
type Route struct {
	Match RouteMatch `yaml:"match"`
	// Tier names the tier the matched requests go to; required.
	Tier string `yaml:"tier"`
}

// RouteMatch are the conditions of a route; zero values match anything,
// but a route must set at least one.
type RouteMatch struct {
	// Model is a model name or a path.Match glob ("llm-*") matching at
	// least one model.
	Model string `yaml:"model"`
	// MinElements matches requests whose inputs hold at least this many
	// elements in all; >= 0.
	MinElements int64 `yaml:"min_elements"`
	// MinBytes matches requests whose input data takes at least this many
	// bytes in all; >= 0.
	MinBytes int64 `yaml:"min_bytes"`
	// Priority matches one priority class (critical, high, normal, low).
	Priority string `yaml:"priority"`
	// Header matches headers' exact values, by name (any letter case);
	// only the headers of trusted tenants are read, so a route with
	// Header never matches other callers.
	Header map[string]string `yaml:"header"`
}

// routes checks the routes against the tiers and models.
func (c *checker) routes(rs []Route, tiers map[string]bool, models []Model) {
	for i, r := range rs {
		c.route(fmt.Sprintf("routes[%d]", i), r, tiers, models)
	}
}

func (c *checker) route(f string, r Route, tiers map[string]bool, models []Model) {
	switch {
	case r.Tier == "":
		c.addf(f+".tier", "must name a tier")
	case !tiers[r.Tier]:
		c.addf(f+".tier", "tier %q is not defined under tiers", r.Tier)
	}
	m := r.Match
	if m.Model == "" && m.MinElements == 0 && m.MinBytes == 0 && m.Priority == "" && len(m.Header) == 0 {
		c.addf(f+".match", "must set at least one condition (model, min_elements, min_bytes, priority or header)")
	}
	if m.Model != "" {
		c.routeModel(f+".match.model", m.Model, models)
	}
	if m.MinElements < 0 {
		c.addf(f+".match.min_elements", "%d must be >= 0", m.MinElements)
	}
	if m.MinBytes < 0 {
		c.addf(f+".match.min_bytes", "%d must be >= 0", m.MinBytes)
	}
	if m.Priority != "" {
		c.priority(f+".match.priority", m.Priority)
	}
	c.routeHeaders(f+".match.header", m.Header)
}

// routeModel checks that a route's model glob is well formed and matches
// a model, since one that matches none is surely a typo.
func (c *checker) routeModel(f, glob string, models []Model) {
	if _, err := path.Match(glob, ""); err != nil {
		c.addf(f, "%q is not a model name or glob", glob)
		return
	}
	for _, m := range models {
		if ok, _ := path.Match(glob, m.Name); ok {
			return
		}
	}
	c.addf(f, "%q matches no model", glob)
}

// routeHeaders checks header names: non-empty, unique in any letter case.
func (c *checker) routeHeaders(f string, h map[string]string) {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	used := map[string]string{}
	for _, name := range names {
		if strings.TrimSpace(name) == "" {
			c.addf(f, "a header name must not be empty")
			continue
		}
		c.unique(used, strings.ToLower(name), f+"."+name)
	}
}
