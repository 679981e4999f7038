#!/usr/bin/env bash
# The installer test: build the .deb (make bundle), check what it holds,
# install it with dpkg, start the installed app (plain, and through
# tauri-driver + WebKitWebDriver), uninstall it and check nothing is left.
#   tests/bundle/deb.sh              build, then test
#   tests/bundle/deb.sh --no-build   test the newest .deb in target/release/bundle/deb
# Needs root or sudo (dpkg -i / -r). Run by `make bundle-test`, which `make test` calls.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "${1:-}" != "--no-build" ]; then
  step "make bundle"
  make --no-print-directory bundle
fi
deb=$(ls -t target/release/bundle/deb/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no .deb in target/release/bundle/deb (run make bundle)"
step "checking $deb"

# ---- what the package says and holds -------------------------------------
info=$(dpkg-deb --info "$deb")
echo "$info" | sed -n '/Package:/,$p'
pkg=$(dpkg-deb -f "$deb" Package)
[ -n "$pkg" ] || fail "the package has no name"
dpkg-deb -f "$deb" Depends | grep -q 'libwebkit2gtk-4.1-0' || fail "Depends lacks libwebkit2gtk-4.1-0"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$(dpkg --print-architecture)" ] || fail "wrong architecture"
contents=$(dpkg-deb --contents "$deb")
echo "$contents" | awk '{print $6}'
files=$(echo "$contents" | awk '$1 !~ /^d/ {print $6}' | sed -E 's|^\.?/?|/|')
bin=$(echo "$files" | grep -E '^/usr/bin/' | head -1 || true)
desktop=$(echo "$files" | grep -E '^/usr/share/applications/.*\.desktop$' | head -1 || true)
[ -n "$bin" ] || fail "no binary under /usr/bin"
[ -n "$desktop" ] || fail "no .desktop file under /usr/share/applications"
icons=$(echo "$files" | grep -E '^/usr/share/icons/hicolor/[0-9x@]+/apps/.*\.png$' || true)
[ "$(echo "$icons" | grep -c .)" -ge 2 ] || fail "expected icons in at least two sizes, got: $icons"
echo "binary $bin, desktop entry $desktop, $(echo "$icons" | grep -c .) icons"

# The .rpm that make bundle builds beside it: an RPM file (magic ed ab ee db) of the same version.
rpm=$(ls -t target/release/bundle/rpm/*.rpm 2>/dev/null | head -1 || true)
if [ -n "$rpm" ]; then
  [ "$(head -c4 "$rpm" | od -An -tx1 | tr -d ' ')" = "edabeedb" ] || fail "$rpm is not an RPM file"
  case "$rpm" in *"-$(dpkg-deb -f "$deb" Version)-"*) ;; *) fail "$rpm is not version $(dpkg-deb -f "$deb" Version)" ;; esac
  echo "rpm: $rpm ($(stat -c %s "$rpm") bytes)"
fi

# ---- install ----------------------------------------------------------------
if dpkg -s "$pkg" >/dev/null 2>&1; then
  step "removing an earlier $pkg"
  $SUDO dpkg -r "$pkg"
fi
step "dpkg -i"
if ! $SUDO dpkg -i "$deb"; then
  echo "dpkg -i stopped on missing dependencies; apt-get -f install fetches them"
  $SUDO apt-get -f install -y -qq
fi
dpkg -s "$pkg" | grep -q '^Status: install ok installed' || fail "$pkg is not installed"
[ -x "$bin" ] || fail "$bin is not an executable file"
[ -f "$desktop" ] || fail "$desktop is missing"
grep -q "^Exec=$(basename "$bin")" "$desktop" || grep -q "^Exec=$bin" "$desktop" || fail "the desktop entry does not run $bin: $(grep ^Exec "$desktop")"
grep -q '^Name=Stepwise' "$desktop" || fail "the desktop entry is not named Stepwise"
icon=$(sed -n 's/^Icon=//p' "$desktop")
ls /usr/share/icons/hicolor/*/apps/"$icon".png >/dev/null || fail "no installed icon named $icon"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop"; fi
cat "$desktop"

# ---- start the installed app ---------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step "starting $bin under Xvfb (plain, as the menu entry does)"
ws="$tmp/plain/workspace.stepwise"
mkdir -p "$tmp/plain"
# Inside one xvfb-run: start the app, wait for its workspace file, check it is
# still running a few seconds later, then stop it by its pid.
STEPWISE_WORKSPACE="$ws" xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  "$1" >"$2/app.log" 2>&1 & pid=$!
  for i in $(seq 1 60); do [ -f "$3" ] && break; sleep 0.5; done
  sleep 3
  if kill -0 $pid 2>/dev/null; then up=1; else up=0; fi
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  [ "$up" = 1 ] || { echo "the app exited:"; cat "$2/app.log"; exit 1; }
' _ "$bin" "$tmp" "$ws" || fail "the installed app did not stay up"
[ -s "$ws" ] || fail "the installed app did not create its workspace $ws"
sqlite3 "$ws" 'select count(*) from sqlite_master' >/dev/null 2>&1 || file "$ws" | grep -qi sqlite || fail "$ws is not a SQLite file"
echo "stayed up, created $(ls -l "$ws" | awk '{print $5}') byte workspace"

step "a WebDriver session on the installed app (tauri-driver)"
if command -v tauri-driver >/dev/null && command -v WebKitWebDriver >/dev/null; then
  STEPWISE_APP="$bin" xvfb-run -a -s "-screen 0 1280x800x24" node "$ROOT/tests/bundle/smoke.mjs"
else
  echo "tauri-driver or WebKitWebDriver missing (make deps-test installs them): skipped"
fi

# ---- uninstall ----------------------------------------------------------
step "dpkg -r"
$SUDO dpkg -r "$pkg"
if dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then fail "$pkg still installed"; fi
left=$(for f in $files; do [ -e "$f" ] && echo "$f"; done || true)
[ -z "$left" ] || fail "files left after dpkg -r: $left"
step "ok: $deb builds, installs, starts, answers WebDriver and uninstalls cleanly"
