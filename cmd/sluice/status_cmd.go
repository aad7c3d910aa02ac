package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sluice-gateway/sluice/internal/status"
)

func init() {
	commands["status"] = command{summary: "show a running gateway's pools, spend and scaler decisions", run: runStatus}
}

// defaultAdminURL is where `sluice status` looks for the admin listener:
// the quickstart's listen.admin.
const defaultAdminURL = "http://127.0.0.1:9090"

// adminTokenEnv names the environment variable `sluice status` takes the
// admin listener's bearer token from, when --token-file is not given.
const adminTokenEnv = "SLUICE_ADMIN_TOKEN"

// statusFlags are what the status command's flags say.
type statusFlags struct {
	admin     string
	tokenFile string
	decisions int
	timeout   time.Duration
}

func runStatus(args []string) int {
	return statusMain(args, os.Stdout, os.Stderr)
}

// statusMain runs `sluice status`: 0 once printed or for help, 2 on bad
// flags, 1 when the admin listener cannot be read.
func statusMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseStatusFlags(args, stderr)
	if err != nil {
		return exitUsage(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
	defer cancel()
	token, err := adminToken(f.tokenFile)
	var v status.View
	if err == nil {
		v, err = status.Fetch(ctx, http.DefaultClient, f.admin, token)
	}
	if err == nil {
		err = status.WriteTable(stdout, v, f.decisions)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

func parseStatusFlags(args []string, stderr io.Writer) (statusFlags, error) {
	var f statusFlags
	fs := flag.NewFlagSet("sluice status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: sluice status [--admin URL] [flags]\n\n"+
			"Prints what the status page on a running gateway's admin listener shows:\n"+
			"each pool's replicas, queue, p99 latency against its SLO and price, the\n"+
			"spend rate against the budget, the spot share, the tiers' admission and\n"+
			"the scaler's latest decisions. The bearer token, when the admin listener\n"+
			"asks for one, comes from --token-file or $%s.\n\nFlags:\n", adminTokenEnv)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.admin, "admin", defaultAdminURL, "the admin listener's `URL` (or host:port)")
	fs.StringVar(&f.tokenFile, "token-file", "", "read the admin listener's bearer token from `file`")
	fs.IntVar(&f.decisions, "decisions", 10, "how many of the latest scaler decisions to print (at most 50; -1 for all kept)")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "how long to wait for the admin listener")
	if err := parseNoArgs(fs, args, stderr); err != nil {
		return statusFlags{}, err
	}
	if f.timeout <= 0 {
		err := fmt.Errorf("sluice status: --timeout %v: must be positive", f.timeout)
		fmt.Fprintln(stderr, err)
		return statusFlags{}, err
	}
	return f, nil
}

// adminToken returns the bearer token of file, or of $SLUICE_ADMIN_TOKEN
// when file is empty; "" when neither gives one.
func adminToken(file string) (string, error) {
	if file == "" {
		return strings.TrimSpace(os.Getenv(adminTokenEnv)), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("sluice status: --token-file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
