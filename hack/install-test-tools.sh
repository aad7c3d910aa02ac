#!/usr/bin/env bash
# install-test-tools.sh installs the tools some tests run, when they are
# missing, from Debian's packages:
#
#   promtool   (package prometheus)  lints a live scrape of /metrics
#   chromium   (package chromium)    renders the status page headless
#   redis-server (package redis-server) the shared state of gateway replicas
#
# Each tool is looked up on PATH first, so the script does nothing on a
# machine that has them. Installing needs root, or sudo for a user who may
# use it; apt-get update runs once, before the first install.
set -euo pipefail

log() { echo "install-test-tools: $*" >&2; }

# as_root runs its arguments as root: directly when root, else with sudo.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		log "not root and no sudo: cannot run $*"
		return 1
	fi
}

updated=""

# need COMMAND PACKAGE installs PACKAGE unless COMMAND is on PATH.
need() {
	local cmd="$1" pkg="$2"
	if command -v "$cmd" >/dev/null 2>&1; then
		return
	fi
	log "$cmd not found: installing Debian package $pkg"
	if [ -z "$updated" ]; then
		as_root apt-get update
		updated=1
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg"
}

need promtool prometheus
need chromium chromium
need redis-server redis-server
