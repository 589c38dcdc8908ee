# DuckDB 1.5.5, embedded through its C API (README.md, "Analysis: DuckDB embedded"):
#   DuckDB::duckdb   .deps/duckdb/lib/libduckdb.so + .deps/duckdb/include/duckdb.h
#                    (both fetched and checked by scripts/setup.d/35-duckdb.sh)
#   CLICKSTREAM_DUCKDB_ICEBERG_EXTENSION, CLICKSTREAM_DUCKDB_AVRO_EXTENSION
#                    the extension files of the pinned duckdb-extension-* wheels in the venv,
#                    loaded by path at run time (no download, no autoload).
# Executables get an RPATH to .deps/duckdb/lib (CMake's default for imported shared libraries).

set(CLICKSTREAM_DUCKDB_DIR ${PROJECT_SOURCE_DIR}/.deps/duckdb CACHE PATH
    "Folder with lib/libduckdb.so and include/duckdb.h (scripts/setup.d/35-duckdb.sh)")
if(NOT EXISTS ${CLICKSTREAM_DUCKDB_DIR}/lib/libduckdb.so
   OR NOT EXISTS ${CLICKSTREAM_DUCKDB_DIR}/include/duckdb.h)
  message(FATAL_ERROR
    "DuckDB is missing from ${CLICKSTREAM_DUCKDB_DIR}: run ./scripts/setup "
    "(scripts/setup.d/35-duckdb.sh fetches libduckdb.so and duckdb.h 1.5.5).")
endif()

add_library(DuckDB::duckdb SHARED IMPORTED)
set_target_properties(DuckDB::duckdb PROPERTIES
  IMPORTED_LOCATION ${CLICKSTREAM_DUCKDB_DIR}/lib/libduckdb.so
  INTERFACE_INCLUDE_DIRECTORIES ${CLICKSTREAM_DUCKDB_DIR}/include)

# The extension binaries must match the engine: same DuckDB version, platform linux_amd64.
execute_process(
  COMMAND ${CLICKSTREAM_PYTHON} -c
          "import pathlib, duckdb_extension_iceberg as i, duckdb_extension_avro as a
for m, n in ((i, 'iceberg'), (a, 'avro')):
    print(pathlib.Path(m.__file__).parent / 'extensions' / 'v1.5.5' / (n + '.duckdb_extension'))"
  OUTPUT_VARIABLE _duckdb_ext_out
  ERROR_VARIABLE _duckdb_ext_err
  RESULT_VARIABLE _duckdb_ext_rc
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _duckdb_ext_rc EQUAL 0)
  message(FATAL_ERROR
    "${CLICKSTREAM_PYTHON} cannot import duckdb_extension_iceberg/avro (${_duckdb_ext_err}): "
    "install the pinned packages with ./scripts/setup.")
endif()
string(REPLACE "\n" ";" _duckdb_ext_out "${_duckdb_ext_out}")
list(GET _duckdb_ext_out 0 CLICKSTREAM_DUCKDB_ICEBERG_EXTENSION)
list(GET _duckdb_ext_out 1 CLICKSTREAM_DUCKDB_AVRO_EXTENSION)
foreach(_ext ${CLICKSTREAM_DUCKDB_ICEBERG_EXTENSION} ${CLICKSTREAM_DUCKDB_AVRO_EXTENSION})
  if(NOT EXISTS ${_ext})
    message(FATAL_ERROR "${_ext} is missing: the duckdb-extension-* wheels must be 1.5.5 (requirements.txt)")
  endif()
endforeach()
