# DuckDB 1.5.5, embedded through its C API (README.md, "Analysis: DuckDB embedded"):
#   DuckDB::duckdb   .deps/duckdb/lib/libduckdb.so + .deps/duckdb/include/duckdb.h
#                    (both fetched and checked by scripts/setup.d/35-duckdb.sh)
#   CLICKSTREAM_DUCKDB_ICEBERG_EXTENSION, CLICKSTREAM_DUCKDB_AVRO_EXTENSION,
#   CLICKSTREAM_DUCKDB_HTTPFS_EXTENSION
#                    .deps/duckdb/extensions/*.duckdb_extension: the files of the pinned
#                    duckdb-extension-* wheels, signature-checked and copied there by setup, loaded
#                    by path at run time (no download, no autoload; httpfs only for tables on S3).
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

# The extension binaries must match the engine (DuckDB 1.5.5, linux_amd64); setup copied them here
# after DuckDB checked their signatures.
set(CLICKSTREAM_DUCKDB_ICEBERG_EXTENSION ${CLICKSTREAM_DUCKDB_DIR}/extensions/iceberg.duckdb_extension)
set(CLICKSTREAM_DUCKDB_AVRO_EXTENSION ${CLICKSTREAM_DUCKDB_DIR}/extensions/avro.duckdb_extension)
set(CLICKSTREAM_DUCKDB_HTTPFS_EXTENSION ${CLICKSTREAM_DUCKDB_DIR}/extensions/httpfs.duckdb_extension)
foreach(_ext ${CLICKSTREAM_DUCKDB_ICEBERG_EXTENSION} ${CLICKSTREAM_DUCKDB_AVRO_EXTENSION}
        ${CLICKSTREAM_DUCKDB_HTTPFS_EXTENSION})
  if(NOT EXISTS ${_ext})
    message(FATAL_ERROR "${_ext} is missing: run ./scripts/setup (scripts/setup.d/35-duckdb.sh)")
  endif()
endforeach()
