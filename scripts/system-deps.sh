#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, and only those missing:
# a PostgreSQL server (scripts/with-postgres.sh starts a throw-away cluster),
# PostGIS for it (benchmarks/match.py's baseline; run by hand, not by the tests),
# Chromium for the browser tests and a font for their screenshots, Pango for WeasyPrint
# (the referral letter's PDF) and poppler-utils (pdftotext, pdftoppm: its tests and picture).
# Idempotent and quick when everything is present; `apt-get update` runs only
# when something has to be installed. Needs root (or password-less sudo).
set -euo pipefail

# package -> how to tell it is already there
have_postgresql() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
have_chromium() { command -v chromium >/dev/null 2>&1; }
# PostGIS for the PostgreSQL major version the server has (Debian names it by both; 15,
# Debian 12's, when the server is being installed in the same run).
postgres_major() {
    local major
    major=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sed -E 's#.*/postgresql/([0-9]+)/.*#\1#' | sort -n | tail -1 || true)
    echo "${major:-15}"
}
postgis_package() { echo "postgresql-$(postgres_major)-postgis-3"; }
# with-postgres.sh runs the newest server, so PostGIS must be there for that one
have_postgis() { [ -e "/usr/share/postgresql/$(postgres_major)/extension/postgis.control" ]; }
have_fonts_dejavu_core() { dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null | grep -q 'install ok installed'; }
have_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
have_poppler_utils() { command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; }

missing=()
have_postgresql || missing+=(postgresql)
have_postgis || missing+=("$(postgis_package)")
have_chromium || missing+=(chromium)
have_fonts_dejavu_core || missing+=(fonts-dejavu-core)
have_deb libpango-1.0-0 || missing+=(libpango-1.0-0)
have_deb libpangoft2-1.0-0 || missing+=(libpangoft2-1.0-0)
have_poppler_utils || missing+=(poppler-utils)

if ((${#missing[@]} == 0)); then
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        echo "system-deps: need root to install: ${missing[*]}" >&2
        exit 1
    fi
fi

echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# No recommends: the tests need exactly these; recommends would add a mail
# transport and dozens of desktop packages for Chromium.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
