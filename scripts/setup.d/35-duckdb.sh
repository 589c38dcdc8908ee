# DuckDB for `clickstream sql` / `clickstream query`, embedded through its C API, all pinned at 1.5.5:
# - libduckdb.so: DuckDB's own release build, shipped in the npm package
#   @duckdb/node-bindings-linux-x64 (checked against the registry's sha512 below);
# - duckdb.h: the C API header of the same release, from the duckdb 1.5.5 source distribution on
#   PyPI (sha256 below);
# - the iceberg, avro and httpfs extensions: the duckdb-extension-* wheels of requirements.txt
#   (20-python.sh; httpfs reads tables on S3 and is loaded only for them),
#   loaded here once by the venv's DuckDB with its signature check on (so they are DuckDB's signed
#   builds for v1.5.5 linux_amd64), then copied next to libduckdb.so; `clickstream` loads these
#   copies by path without repeating the check (it costs 0.25 s of CPU per command).
# Result: .deps/duckdb/{lib/libduckdb.so,include/duckdb.h,extensions/*.duckdb_extension}, found by
# cmake/DuckDB.cmake.
DUCKDB_NPM_PACKAGE="@duckdb/node-bindings-linux-x64@1.5.5-r.5"
DUCKDB_NPM_INTEGRITY="sha512-kCyq6BXhn6QXfwF8yVdVKriSSHP+rfVWcJ56cG8qZzlOZpxyvT5WGm6jMshxg4ditLlOsHsIN/D47RYrcjXuHQ=="
DUCKDB_SDIST_VERSION="1.5.5"
DUCKDB_SDIST_SHA256="72f33ee57ca7595b23957671a2cc7f7fe2be0ecc2d68f63abedcfcaa3a5c1238"

if ! step_done duckdb scripts/setup.d/35-duckdb.sh requirements.txt \
    || [ ! -f "$DEPS/duckdb/lib/libduckdb.so" ] || [ ! -f "$DEPS/duckdb/include/duckdb.h" ] \
    || [ ! -f "$DEPS/duckdb/extensions/iceberg.duckdb_extension" ] \
    || [ ! -f "$DEPS/duckdb/extensions/httpfs.duckdb_extension" ]; then
  log "fetching DuckDB $DUCKDB_SDIST_VERSION (libduckdb.so from npm, duckdb.h from PyPI)"
  if ! command -v npm >/dev/null; then
    as_root apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  work=$(mktemp -d)
  rm -rf "$DEPS/duckdb"
  mkdir -p "$DEPS/duckdb/lib" "$DEPS/duckdb/include" "$DEPS/duckdb/extensions"

  tgz=$(cd "$work" && npm pack --silent "$DUCKDB_NPM_PACKAGE" 2>/dev/null | tail -1)
  [ -f "$work/$tgz" ] || die "npm pack $DUCKDB_NPM_PACKAGE failed"
  got="sha512-$("$VENV/bin/python" -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$work/$tgz")"
  [ "$got" = "$DUCKDB_NPM_INTEGRITY" ] || die "$DUCKDB_NPM_PACKAGE: integrity $got is not the pinned one"
  tar -xzf "$work/$tgz" -C "$work" package/libduckdb.so
  mv "$work/package/libduckdb.so" "$DEPS/duckdb/lib/"

  # --no-binary duckdb: the source distribution, which carries the C header; --no-deps: nothing else.
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary duckdb \
    -d "$work" "duckdb==$DUCKDB_SDIST_VERSION" >/dev/null
  sdist="$work/duckdb-$DUCKDB_SDIST_VERSION.tar.gz"
  echo "$DUCKDB_SDIST_SHA256  $sdist" | sha256sum -c --quiet - || die "duckdb sdist: sha256 mismatch"
  tar -xzf "$sdist" -C "$work" "duckdb-$DUCKDB_SDIST_VERSION/external/duckdb/src/include/duckdb.h"
  mv "$work/duckdb-$DUCKDB_SDIST_VERSION/external/duckdb/src/include/duckdb.h" "$DEPS/duckdb/include/"
  rm -rf "$work"

  "$VENV/bin/python" - "$DEPS/duckdb/extensions" <<'PY' || die "the DuckDB extensions of the venv failed DuckDB's signature check"
import pathlib, shutil, sys
import duckdb, duckdb_extension_avro, duckdb_extension_httpfs, duckdb_extension_iceberg
con = duckdb.connect(config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
for module, name in ((duckdb_extension_avro, "avro"), (duckdb_extension_iceberg, "iceberg"),
                     (duckdb_extension_httpfs, "httpfs")):
    path = pathlib.Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    con.execute(f"LOAD '{path}'")  # signed extensions only: allow_unsigned_extensions stays off
    shutil.copyfile(path, pathlib.Path(sys.argv[1]) / path.name)
PY
  step_mark duckdb scripts/setup.d/35-duckdb.sh requirements.txt
fi
