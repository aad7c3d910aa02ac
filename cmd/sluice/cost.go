package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
)

func init() {
	commands["cost"] = command{
		summary: "print each pool's throughput and cost per million inferences",
		run:     func(args []string) int { return costMain(args, os.Stdout, os.Stderr) },
	}
}

const costUsage = `Usage: sluice cost [--json] [--slo DURATION] (--config FILE | FILE)

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
pool. A pool that cannot serve a single item within its SLO shows "-".

Flags:
`

// costFlags is what the cost command's arguments say.
type costFlags struct {
	config string
	json   bool
	slo    time.Duration
}

// costMain runs the cost command and returns its exit code: 0 when done or
// for help, 2 on a usage error, 1 when the configuration cannot be loaded.
func costMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseCostFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	cfg, err := configs.Load(f.config)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	rows := quotes(cfg, f.slo)
	if f.json {
		err = writeCostJSON(stdout, rows)
	} else {
		err = writeCostTable(stdout, rows)
	}
	if err != nil {
		fmt.Fprintln(stderr, "sluice cost:", err)
		return 1
	}
	return 0
}

// parseCostFlags parses the flags, which may come before or after the
// file, and requires exactly one file, given positionally or by --config.
func parseCostFlags(args []string, stderr io.Writer) (costFlags, error) {
	var f costFlags
	fs := flag.NewFlagSet("cost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.config, "config", "", "the configuration `FILE`")
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
// arguments, reporting a usage error on stderr unless there is exactly one.
func (f *costFlags) pickFile(files []string, fs *flag.FlagSet) error {
	var msg string
	switch {
	case f.slo < 0:
		msg = fmt.Sprintf("--slo %v must be >= 0", f.slo)
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

// quotes returns each pool's quote at its SLO (see configs.PoolSLOs), in
// the configuration's order; slo > 0 overrides every pool's SLO.
func quotes(cfg *configs.Config, slo time.Duration) []costmodel.Quote {
	slos := cfg.PoolSLOs()
	fleet := cfg.Fleet()
	out := make([]costmodel.Quote, 0, len(fleet.Pools))
	for _, p := range fleet.Pools {
		s := slos[p.Name]
		if slo > 0 {
			s = slo
		}
		out = append(out, p.Quote(s))
	}
	return out
}

// kind names a pool's pricing.
func kind(spot bool) string {
	if spot {
		return "spot"
	}
	return "on-demand"
}

// writeCostTable writes the rows as an aligned table.
func writeCostTable(w io.Writer, rows []costmodel.Quote) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pool\tkind\t$/h\tslo\tbatch\tinf/s per replica\t$/M @100%\t$/M @70%\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%v\t%d\t%s\t%s\t%s\t\n", r.Pool, kind(r.Spot), r.PricePerHour, r.SLO,
			r.Batch, number(r.Throughput, 1), number(r.PerMillionBusy, 2), number(r.PerMillionTypical, 2))
	}
	return tw.Flush()
}

// number formats x with prec decimals, or "-" when x is 0 or infinite
// (nothing served, or nothing at that SLO).
func number(x float64, prec int) string {
	if x == 0 || math.IsInf(x, 0) {
		return "-"
	}
	return strconv.FormatFloat(x, 'f', prec, 64)
}
