# Shared by the project's scripts; sourced, never run. Paths are relative to the repo root.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
DEPS="$ROOT/.deps"          # resolved Maven artifacts and other fetched, pinned inputs (git-ignored)
STAMPS="$DEPS/stamps"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# step_done NAME FILE...: true when step NAME already ran with these exact input files.
# step_mark NAME FILE...: records that it did. Keeps a second ./scripts/setup fast and inert.
_step_hash() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }
step_done() { local n=$1; shift; [ -f "$STAMPS/$n" ] && [ "$(cat "$STAMPS/$n")" = "$(_step_hash "$@")" ]; }
step_mark() { local n=$1; shift; mkdir -p "$STAMPS"; _step_hash "$@" > "$STAMPS/$n"; }
