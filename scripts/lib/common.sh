# Shared by scripts/run and scripts/test: find the repository, make sure the
# build prerequisites are there, installing what is missing and saying so.
# The only things a fresh machine must have are a Rust toolchain and a C/C++
# compiler; everything else is installed here.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

say() { printf '[lodestone] %s\n' "$*" >&2; }

need_cmd() {
  if ! command -v "$1" >/dev/null 2>&1; then
    say "error: '$1' is not installed. $2"
    exit 2
  fi
}

# Debian packages, installed only when missing. Usage: ensure_debs pkg...
ensure_debs() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing missing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ensure_build_prereqs() {
  need_cmd cargo "Install Rust (https://rustup.rs) and try again."
  need_cmd cc "Install a C/C++ compiler (e.g. Debian's build-essential) and try again."
  # HiGHS (the LP/MIP solver, crate lodestone-lp) is built from source:
  # cmake builds it, bindgen needs libclang.
  ensure_debs cmake libclang-dev
}
