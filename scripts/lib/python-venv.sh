#!/usr/bin/env bash
# scripts/lib/python-venv.sh -- create target/py-venv with the Python peers the
# tests cross-check against (HiGHS through highspy; PuLP for its bundled CBC;
# schemathesis to fuzz the server API from its OpenAPI document).
# Idempotent: does nothing when the venv already has the pinned versions.
# Usage: scripts/lib/python-venv.sh  (or source it and call ensure_python_venv)
# Honours LODESTONE_PY_VENV (default: <repo>/target/py-venv), as does the test
# that uses it (crates/lp/tests/mps_roundtrip.rs).

_pyvenv_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY_VENV="${LODESTONE_PY_VENV:-$_pyvenv_root/target/py-venv}"
# Pinned so a cross-check cannot change under us. highspy is built from a
# different HiGHS release than the one highs-sys compiles into lodestone-lp.
PY_VENV_PACKAGES=(highspy==1.15.1 numpy==2.4.6 scipy==1.17.1 pulp==3.3.0 schemathesis==4.32.5)

_pyvenv_say() { printf '[lodestone] %s\n' "$*" >&2; }

ensure_python_venv() {
  local stamp="$PY_VENV/.lodestone-packages"
  local want="${PY_VENV_PACKAGES[*]}"
  if [ -x "$PY_VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  if ! command -v python3 >/dev/null 2>&1; then
    _pyvenv_say "error: python3 is not installed (needed for the MPS cross-checks)."
    return 2
  fi
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    _pyvenv_say "installing Debian python3-venv (python3 lacks venv/ensurepip)"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >&2
  fi
  _pyvenv_say "creating Python venv $PY_VENV with: $want"
  python3 -m venv "$PY_VENV"
  "$PY_VENV/bin/pip" install --quiet --disable-pip-version-check "${PY_VENV_PACKAGES[@]}" >&2
  _pyvenv_say "installed into $PY_VENV:"
  "$PY_VENV/bin/pip" list --format=freeze --disable-pip-version-check 2>/dev/null \
    | grep -iE '^(highspy|numpy|scipy|pulp|schemathesis)==' | sed 's/^/[lodestone]   /' >&2
  printf '%s' "$want" > "$stamp"
}

# Run directly: create the venv. Sourced: just define the function.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ensure_python_venv
fi
