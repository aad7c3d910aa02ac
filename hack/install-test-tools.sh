#!/usr/bin/env bash
# install-test-tools.sh installs the tools some tests run, when they are
# missing, from Debian's packages:
#
#   promtool   (package prometheus)   lints a live scrape of /metrics
#   chromium   (package chromium)     renders the status page headless
#   etcd       (package etcd-server)  backs the Kubernetes API server of the
#                                     scaler/kubernetes tests
#   python3    (package python3)      runs a foreign model server for the
#                                     command pools of scaler/local
#   redis-server (package redis-server) the shared state of gateway replicas
#
# Each tool is looked up on PATH first, so the script does nothing on a
# machine that has them. Installing needs root, or sudo for a user who may
# use it; apt-get update runs once, before the first install.
#
# Packages are installed without starting their services, and a service
# they enable is disabled: Debian's prometheus would otherwise serve on
# :9090, the port of Sluice's admin listener, so that `make run` could not
# start after `make test`; etcd-server would hold :2379.
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
policy=/usr/sbin/policy-rc.d
ours=""

# forbid_starts has invoke-rc.d (and deb-systemd-invoke) start no service
# while packages install, unless the machine already has a policy.
forbid_starts() {
	if [ -e "$policy" ]; then
		return
	fi
	as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy"
	ours=1
}

# allow_starts removes the policy forbid_starts wrote, if it wrote one.
allow_starts() {
	if [ -n "$ours" ]; then
		as_root rm -f "$policy"
		ours=""
	fi
}
trap allow_starts EXIT

# disable SERVICE stops SERVICE and keeps it from starting at boot, on a
# host that runs systemd.
disable() {
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
		as_root systemctl disable --now "$1" >/dev/null 2>&1 || true
	fi
}

# need COMMAND PACKAGE [SERVICE] installs PACKAGE unless COMMAND is on
# PATH, without starting SERVICE, which it disables.
need() {
	local cmd="$1" pkg="$2" svc="${3:-}"
	if command -v "$cmd" >/dev/null 2>&1; then
		return
	fi
	log "$cmd not found: installing Debian package $pkg"
	if [ -z "$updated" ]; then
		as_root apt-get update
		updated=1
	fi
	forbid_starts
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg"
	allow_starts
	if [ -n "$svc" ]; then
		disable "$svc"
	fi
}

need promtool prometheus prometheus
need chromium chromium
need etcd etcd-server etcd
need python3 python3
need redis-server redis-server
