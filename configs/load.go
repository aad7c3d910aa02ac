package configs

import (
	"fmt"
	"os"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Load reads the configuration file at path and parses it with Parse.
// A file that cannot be read gives an error wrapping the os error (not
// ErrInvalid); a file with problems gives Errors, naming path in each.
func Load(path string) (*Config, error) {
	cfg, _, err := load(path)
	return cfg, err
}

// load is Load, which also returns where each field is in the file.
func load(path string) (*Config, positions, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("configs: %w", err)
	}
	return parse(path, data)
}

// Parse decodes one YAML document strictly, fills the defaults and
// validates the result. file names the input in errors and is stored in
// Config.File; it may be empty.
//
// On failure it returns a nil Config and Errors, sorted by line, holding
// every problem of the first step that failed: syntax, then decoding
// (unknown keys, wrong types, malformed durations), then validation.
func Parse(file string, data []byte) (*Config, error) {
	cfg, _, err := parse(file, data)
	return cfg, err
}

// parse is Parse, which also returns where each field is in the file.
func parse(file string, data []byte) (*Config, positions, error) {
	body, errs := parseDocument(file, data)
	if errs != nil {
		return nil, nil, errs
	}
	cfg := &Config{File: file}
	pos, errs := decode(file, body, cfg)
	if errs != nil {
		return nil, nil, errs
	}
	cfg.ApplyDefaults()
	if errs := validate(cfg, pos.line); errs != nil {
		return nil, nil, errs
	}
	return cfg, pos, nil
}

// parseDocument returns the body of the file's only document; nil when the
// file is empty or holds only comments.
func parseDocument(file string, data []byte) (ast.Node, Errors) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, Errors{yamlError(file, "syntax error: ", err)}
	}
	switch len(f.Docs) {
	case 0:
		return nil, nil
	case 1:
		return f.Docs[0].Body, nil
	}
	second := f.Docs[1]
	line := nodeLine(second.Body)
	if second.Start != nil {
		line = second.Start.Position.Line
	}
	return nil, Errors{{File: file, Line: max(line, 1), Msg: "only one YAML document is allowed"}}
}
