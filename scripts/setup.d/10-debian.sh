# Debian packages: toolchain, C++ libraries, JDK, tools for benchmarks. Pinned by Debian 12
# (bookworm) release; the list itself is scripts/debian-packages.txt.
if ! step_done debian scripts/debian-packages.txt; then
  log "installing Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  # shellcheck disable=SC2046
  as_root apt-get install -y -qq --no-install-recommends $(grep -v '^#' scripts/debian-packages.txt) >/dev/null
  step_mark debian scripts/debian-packages.txt
fi
