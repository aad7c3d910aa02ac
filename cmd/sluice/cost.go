package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/costreport"
)

func init() {
	commands["cost"] = command{
		summary: "print each pool's throughput and cost per million inferences",
		run:     func(args []string) int { return costMain(args, os.Stdout, os.Stderr) },
	}
}

const costUsage = `Usage: sluice cost [--json] [--slo DURATION] (--config FILE | FILE | --admin URL)

Prints, for each pool of the configuration, what one replica costs and
delivers at its SLO: kind (spot or on-demand), price in USD per hour, the
SLO, the largest batch that serves within it, the inferences per second
one replica sustains at that batch, and the cost per million inferences
with replicas busy 100 % and 70 % of the time:

  $/M = $/h / (3600 × inferences/s × utilization) × 1e6

A batch serves within the SLO when it takes at most half of it (a request
may wait for the batch in service, then ride the next one). A pool's SLO
is the smallest SLO among the models whose tier includes the pool, or the
default SLO (500ms) for a pool in no tier; --slo sets one SLO for every
pool. A pool that cannot serve a single item within its SLO, or that has
no curve (a model server whose curve Sluice measures), shows "-".

With --admin, the pools are those of the gateway whose admin listener
answers there (GET /admin/pools), each priced twice, side by side: with
the curve it was configured with and with the curve Sluice measured of
it. The bearer token, when the admin listener asks for one, comes from
--token-file or $` + adminTokenEnv + `.

Flags:
`

// costFlags is what the cost command's arguments say.
type costFlags struct {
	config, admin, tokenFile string
	json                     bool
	slo                      time.Duration
}

// costMain runs the cost command and returns its exit code: 0 when done or
// for help, 2 on a usage error, 1 when the configuration or the admin
// listener cannot be read.
func costMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseCostFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	rows, err := costRows(f)
	if err == nil && f.json {
		err = costreport.WriteJSON(stdout, rows)
	} else if err == nil {
		err = costreport.WriteTable(stdout, rows, f.admin != "")
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// costRows prices the pools of the file, or of the gateway at f.admin.
func costRows(f costFlags) ([]costreport.Row, error) {
	if f.admin == "" {
		cfg, err := configs.Load(f.config)
		if err != nil {
			return nil, err
		}
		return costreport.FromConfig(cfg, f.slo), nil
	}
	token, err := adminToken(f.tokenFile)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pools, err := costreport.Fetch(ctx, http.DefaultClient, f.admin, token)
	return costreport.FromPools(pools, f.slo), err
}

// parseCostFlags parses the flags, which may come before or after the
// file, and requires exactly one file, given positionally or by --config,
// or --admin instead.
func parseCostFlags(args []string, stderr io.Writer) (costFlags, error) {
	var f costFlags
	fs := flag.NewFlagSet("cost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.config, "config", "", "the configuration `FILE`")
	fs.StringVar(&f.admin, "admin", "", "price the pools of the gateway whose admin listener is at `URL` (or host:port)")
	fs.StringVar(&f.tokenFile, "token-file", "", "with --admin, read the admin listener's bearer token from `file`")
	fs.BoolVar(&f.json, "json", false, "print JSON instead of a table")
	fs.DurationVar(&f.slo, "slo", 0, "one SLO for every pool (default: each pool's own, see above)")
	fs.Usage = func() { fmt.Fprint(fs.Output(), costUsage); fs.PrintDefaults() }
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return f, err
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	return f, f.pickFile(files, fs)
}

// pickFile settles the configuration file from --config and the positional
// arguments, reporting a usage error on stderr unless there is exactly one
// or --admin alone.
func (f *costFlags) pickFile(files []string, fs *flag.FlagSet) error {
	var msg string
	switch {
	case f.slo < 0:
		msg = fmt.Sprintf("--slo %v must be >= 0", f.slo)
	case f.admin != "" && (len(files) > 0 || f.config != ""):
		msg = "give a configuration file or --admin, not both"
	case f.admin != "":
	case len(files) > 1 || (len(files) == 1 && f.config != ""):
		msg = "give one configuration file"
	case len(files) == 0 && f.config == "":
		msg = "no configuration file given"
	case len(files) == 1:
		f.config = files[0]
	}
	if msg == "" {
		return nil
	}
	fmt.Fprintln(fs.Output(), "sluice cost:", msg)
	fs.Usage()
	return errors.New(msg)
}
