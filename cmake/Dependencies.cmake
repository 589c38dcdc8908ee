# Third-party libraries, all from Debian packages (scripts/setup.d/10-debian.sh) except Arrow and
# Parquet, which come from the pinned pyarrow wheel in .venv (cmake/Arrow.cmake).

find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
# cpp-httplib 0.11 (libcpp-httplib-dev): the HTTP server of the /metrics endpoint.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# libedit (libedit-dev): line editing and history of the interactive `clickstream sql`.
pkg_check_modules(LIBEDIT REQUIRED IMPORTED_TARGET libedit)
find_package(simdjson REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(SQLite3 REQUIRED)
# libcurl (libcurl4-openssl-dev): the HTTP client of the Iceberg REST catalog (src/catalog).
find_package(CURL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
include(GoogleTest)
# CCTZ (libcctz-dev): the IANA time-zone database of Debian's tzdata for zone-less event times;
# Debian ships no CMake or pkg-config file for it.
find_path(CCTZ_INCLUDE_DIR cctz/time_zone.h REQUIRED)
find_library(CCTZ_LIBRARY cctz REQUIRED)
add_library(cctz::cctz UNKNOWN IMPORTED)
set_target_properties(cctz::cctz PROPERTIES IMPORTED_LOCATION ${CCTZ_LIBRARY}
                                            INTERFACE_INCLUDE_DIRECTORIES ${CCTZ_INCLUDE_DIR})
include(Arrow OPTIONAL)
include(DuckDB)  # after Arrow: uses CLICKSTREAM_PYTHON to find the extension wheels
