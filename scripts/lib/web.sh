# The web dashboard (web/): Node.js to build it, Chromium to test it.
# Sourced after common.sh (uses ROOT, say, ensure_debs).
#
# ensure_web_build  installs Debian's nodejs and npm if node is missing
#                   (saying so), runs `npm ci` when web/node_modules is
#                   missing or package-lock.json changed since, and
#                   `npm run build` when a source is newer than web/dist.
#                   The build is embedded in the lodestone binary
#                   (crates/server/build.rs).
# ensure_chromium   installs Debian's chromium and chromium-driver if missing
#                   (the end-to-end tests drive /usr/bin/chromium).
# web_unit_tests    the front end's Vitest unit tests.

WEB_DIR="$ROOT/web"

ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "Node.js is missing: installing Debian's nodejs and npm (to build the web dashboard)"
    ensure_debs nodejs npm
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -lt 18 ]; then
    say "error: Node.js $(node --version) is too old to build the web dashboard; it needs 18 or newer"
    exit 2
  fi
}

ensure_web_build() {
  ensure_node
  local stamp="$WEB_DIR/node_modules/.lodestone-lock"
  if [ ! -d "$WEB_DIR/node_modules" ] || ! cmp -s "$WEB_DIR/package-lock.json" "$stamp"; then
    say "installing the web dashboard's npm packages (npm ci)"
    (cd "$WEB_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
    cp "$WEB_DIR/package-lock.json" "$stamp"
  fi
  local newer=""
  if [ -f "$WEB_DIR/dist/index.html" ]; then
    newer="$(find "$WEB_DIR/src" "$WEB_DIR/index.html" "$WEB_DIR/vite.config.ts" "$WEB_DIR/tsconfig.json" "$WEB_DIR/package-lock.json" \
      -newer "$WEB_DIR/dist/index.html" -print -quit)"
  fi
  if [ ! -f "$WEB_DIR/dist/index.html" ] || [ -n "$newer" ]; then
    say "building the web dashboard (npm run build)"
    (cd "$WEB_DIR" && npm run --silent build >&2)
  fi
}

web_unit_tests() {
  say "running the web dashboard's unit tests (vitest)"
  (cd "$WEB_DIR" && npx --no-install vitest run)
}

ensure_chromium() {
  ensure_debs chromium chromium-driver
}
