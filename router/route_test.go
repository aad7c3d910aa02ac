package router

import (
	"testing"

	"github.com/sluice-gateway/sluice/batcher"
)

func TestMatch(t *testing.T) {
	high := batcher.High
	headers := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}
	f := Facts{Model: "llm-7b", Rows: 2, Elements: 4096, Bytes: 16384, Priority: batcher.Normal}
	trusted := f
	trusted.Header = headers(map[string]string{"x-tier": "gpu"})
	tests := []struct {
		name  string
		match Match
		facts Facts
		want  bool
	}{
		{"empty matches all", Match{}, f, true},
		{"exact model", Match{Model: "llm-7b"}, f, true},
		{"other model", Match{Model: "sum"}, f, false},
		{"glob", Match{Model: "llm-*"}, f, true},
		{"malformed glob", Match{Model: "llm-["}, f, false},
		{"min elements met", Match{MinElements: 4096}, f, true},
		{"min elements missed", Match{MinElements: 4097}, f, false},
		{"min bytes met", Match{MinBytes: 16384}, f, true},
		{"min bytes missed", Match{MinBytes: 16385}, f, false},
		{"priority missed", Match{Priority: &high}, f, false},
		{"header of a trusted caller", Match{Header: map[string]string{"x-tier": "gpu"}}, trusted, true},
		{"header value differs", Match{Header: map[string]string{"x-tier": "cpu"}}, trusted, false},
		{"header of an untrusted caller", Match{Header: map[string]string{"x-tier": ""}}, f, false},
		{"every condition", Match{Model: "llm-*", MinElements: 1, Header: map[string]string{"x-tier": "gpu"}}, trusted, true},
		{"one condition fails", Match{Model: "llm-*", MinElements: 1 << 20, Header: map[string]string{"x-tier": "gpu"}}, trusted, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.match.Matches(tt.facts); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTierOf(t *testing.T) {
	routes := []Route{
		{Match: Match{Model: "sum", MinElements: 1000}, Tier: "heavy"},
		{Match: Match{Model: "s*"}, Tier: "light"},
		{Match: Match{Model: "sum"}, Tier: "never"},
	}
	tests := []struct {
		name  string
		facts Facts
		want  string
	}{
		{"first match wins", Facts{Model: "sum", Elements: 5000}, "heavy"},
		{"later route", Facts{Model: "sum", Elements: 10}, "light"},
		{"no route: the model's tier", Facts{Model: "echo"}, "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tierOf(routes, tt.facts, "default"); got != tt.want {
				t.Errorf("tierOf = %q, want %q", got, tt.want)
			}
		})
	}
}
