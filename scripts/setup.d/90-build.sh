# Configures and builds the C++ tree into build/ (Ninja, two jobs: the machine has two cores).
BUILD_DIR="${CLICKSTREAM_BUILD_DIR:-$ROOT/build}"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  log "configuring $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCLICKSTREAM_PYTHON="$VENV/bin/python" >/dev/null
fi
log "building build/clickstream"
cmake --build "$BUILD_DIR" -j2 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; }  # a failed build fails setup (pipefail)
[ -x "$BUILD_DIR/clickstream" ] || die "the build did not produce $BUILD_DIR/clickstream"
