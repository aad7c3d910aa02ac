package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sluice-gateway/sluice/internal/app"
)

func init() {
	commands["validate"] = command{summary: "check configuration files and report every problem", run: runValidate}
}

const validateUsage = `Usage: sluice validate [--insecure] FILE...

Loads each configuration file as serve would: decodes it strictly, fills
the defaults, checks every rule, and refuses what serve refuses (auth
mode none on listeners other machines reach, unless --insecure; secrets
and certificates it cannot read). Prints every problem, one per line as
FILE:LINE: FIELD: MESSAGE, to stderr; for a valid file prints a one-line
summary to stdout.

Exit status: 0 when every file is valid, 1 when any has a problem, 2 on a
usage error.
`

func runValidate(args []string) int {
	return validateFiles(args, os.Stdout, os.Stderr)
}

// validateFiles runs the validate subcommand and returns its exit code.
func validateFiles(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), validateUsage) }
	insecure := fs.Bool("insecure", false, "as serve --insecure: allow auth.mode none on listeners other machines reach")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "sluice validate: no file given")
		fs.Usage()
		return 2
	}
	code := 0
	for _, path := range fs.Args() {
		if !validateFile(path, *insecure, stdout, stderr) {
			code = 1
		}
	}
	return code
}

// validateFile reports on one file and whether serve would take it.
func validateFile(path string, insecure bool, stdout, stderr io.Writer) bool {
	cfg, err := app.Load(path, app.LoadOptions{Insecure: insecure})
	if err != nil {
		fmt.Fprintln(stderr, err) // Errors print one problem per line
		return false
	}
	fmt.Fprintf(stdout, "%s: ok — %s, %s, %s\n", path,
		count(len(cfg.Models), "model"), count(len(cfg.Tiers), "tier"), count(len(cfg.Pools), "pool"))
	return true
}

// count writes n and noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
