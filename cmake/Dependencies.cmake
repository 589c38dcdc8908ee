# Third-party libraries, all from Debian packages (scripts/setup.d/10-debian.sh) except Arrow and
# Parquet, which come from the pinned pyarrow wheel in .venv (cmake/Arrow.cmake).

find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
# cpp-httplib 0.11 (libcpp-httplib-dev): the HTTP server of the /metrics endpoint.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_package(simdjson REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
include(GoogleTest)
include(Arrow OPTIONAL)
include(DuckDB)  # after Arrow: uses CLICKSTREAM_PYTHON to find the extension wheels
