#!/bin/sh
# Installs what benchmarks/run.py needs besides the Python packages: wrk and curl (Debian/Ubuntu).
set -eu
missing=""
for tool in wrk curl; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update
    # shellcheck disable=SC2086 # the list is meant to split into package names
    $sudo_cmd apt-get install -y $missing
fi
wrk -v 2>&1 | head -n 1 || true
