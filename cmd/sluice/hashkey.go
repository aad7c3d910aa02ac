package main

import (
	"bufio"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sluice-gateway/sluice/gateway"
)

func init() {
	commands["hash-key"] = command{summary: "print the SHA-256 of an API key, for auth.keys", run: runHashKey}
}

// hashKeyUsage is the help of `sluice hash-key`.
const hashKeyUsage = `Usage: sluice hash-key [KEY]

Prints the SHA-256 of an API key in hex, as auth.keys[].sha256 (or the file
of sha256_file, or the variable of sha256_env) wants it. The configuration
holds only the hash; clients send the key itself, as
"Authorization: Bearer KEY" or "x-api-key: KEY".

Without KEY, reads the key from the first line of standard input, which
keeps it out of your shell history:

  printf '%s' "$KEY" | sluice hash-key
  sluice hash-key < key.txt

A key is 1 to 1024 visible ASCII characters (no spaces).
`

func runHashKey(args []string) int {
	return hashKey(args, os.Stdin, os.Stdout, os.Stderr)
}

// hashKey prints the SHA-256 of the key given as the one argument, or read
// from the first line of stdin, and returns the exit code.
func hashKey(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hash-key", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { _, _ = io.WriteString(fs.Output(), hashKeyUsage) }
	if err := fs.Parse(args); err != nil {
		return exitUsage(err)
	}
	key, err := keyToHash(fs.Args(), stdin)
	if err == nil {
		var h [32]byte
		if h, err = gateway.HashKey(key); err == nil {
			fmt.Fprintln(stdout, hex.EncodeToString(h[:]))
			return 0
		}
	}
	fmt.Fprintln(stderr, "sluice hash-key:", err)
	return 1
}

// keyToHash returns the key of the arguments, or else of stdin's first
// line without its line ending.
func keyToHash(args []string, stdin io.Reader) (string, error) {
	switch len(args) {
	case 0:
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the key from stdin: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	case 1:
		return args[0], nil
	}
	return "", fmt.Errorf("want at most one key, got %d arguments", len(args))
}
