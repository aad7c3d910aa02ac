package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	const data = "../../configs/"
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{
			name:       "valid file",
			args:       []string{data + "quickstart.yaml"},
			wantStdout: []string{data + "quickstart.yaml: ok — 2 models, 1 tier, 2 pools\n"},
		},
		{
			name:     "one problem",
			args:     []string{data + "testdata/negative-price.bad.yaml"},
			wantCode: 1,
			wantStderr: []string{
				data + "testdata/negative-price.bad.yaml:7: pools[1].price_per_hour: -0.5 must be >= 0\n",
			},
		},
		{
			name:     "every problem, one per line",
			args:     []string{data + "testdata/several.bad.yaml"},
			wantCode: 1,
			wantStderr: []string{
				data + "testdata/several.bad.yaml:4: models[0].tier: ",
				"\n" + data + "testdata/several.bad.yaml:5: models[1].name: ",
				"\n" + data + "testdata/several.bad.yaml:13: pools[0].price_per_hour: ",
			},
		},
		{
			name:       "good and bad together",
			args:       []string{data + "testdata/minimal.good.yaml", data + "testdata/max-batch.bad.yaml"},
			wantCode:   1,
			wantStdout: []string{"minimal.good.yaml: ok — 1 model, 1 tier, 1 pool\n"},
			wantStderr: []string{"max-batch.bad.yaml:6: pools[0].max_batch: -1 must be >= 1\n"},
		},
		{
			name:       "missing file",
			args:       []string{"absent.yaml"},
			wantCode:   1,
			wantStderr: []string{"configs: open absent.yaml: "},
		},
		{name: "no file", wantCode: 2, wantStderr: []string{"no file given", "Usage: sluice validate [--insecure] FILE..."}},
		{name: "help", args: []string{"--help"}, wantStderr: []string{"Usage: sluice validate [--insecure] FILE...", "Exit status"}},
		{name: "unknown flag", args: []string{"--strict"}, wantCode: 2, wantStderr: []string{"flag provided but not defined"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := validateFiles(tt.args, &stdout, &stderr); code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			checkContains(t, "stdout", stdout.String(), tt.wantStdout)
			checkContains(t, "stderr", stderr.String(), tt.wantStderr)
		})
	}
}

// checkContains fails unless out holds every one of want, or is empty when
// want is.
func checkContains(t *testing.T, name, out string, want []string) {
	t.Helper()
	if len(want) == 0 && out != "" {
		t.Errorf("%s = %q, want it empty", name, out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s = %q, want it to contain %q", name, out, w)
		}
	}
}

// TestValidateRefusesWhatServeRefuses checks that validate and serve
// agree: auth mode none on a listener other machines reach is refused by
// both, at the listener's line, and taken by both with --insecure.
func TestValidateRefusesWhatServeRefuses(t *testing.T) {
	file := filepath.Join(t.TempDir(), "exposed.yaml")
	yaml := "listen:\n  http: 0.0.0.0:8080\nmodels: [{name: m, tier: t}]\ntiers: [{name: t, pools: [p]}]\npools: [{name: p, curve: {base: 1ms}}]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := validateFiles([]string{file}, &stdout, &stderr); code != 1 {
		t.Errorf("validate exit code = %d, want 1; stdout %q", code, stdout.String())
	}
	checkContains(t, "stderr", stderr.String(), []string{file + `:2: listen.http: "0.0.0.0:8080" is reachable from other machines`})
	stdout.Reset()
	stderr.Reset()
	if code := validateFiles([]string{"--insecure", file}, &stdout, &stderr); code != 0 {
		t.Errorf("validate --insecure exit code = %d, want 0; stderr %q", code, stderr.String())
	}
	serve := exec.Command(os.Args[0], "serve", "--config", file)
	serve.Env = append(os.Environ(), cliEnv+"=1")
	out, err := serve.CombinedOutput()
	if exit, ok := errors.AsType[*exec.ExitError](err); !ok || exit.ExitCode() != 1 ||
		!strings.Contains(string(out), file+`:2: listen.http: "0.0.0.0:8080" is reachable`) {
		t.Errorf("serve: %v, output %q; want exit code 1 and the same refusal", err, out)
	}
}

func TestValidateIsRegistered(t *testing.T) {
	cmd, ok := commands["validate"]
	if !ok || cmd.summary == "" || cmd.run == nil {
		t.Fatalf("commands[%q] = %+v, want a registered command", "validate", cmd)
	}
}
