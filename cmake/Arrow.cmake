# Arrow and Parquet C++ from the pinned pyarrow wheel in the project venv (requirements.txt).
#
# Arrow C++ is not packaged in Debian 12. The pyarrow wheel ships the C++ headers and shared
# libraries, but no CMake config, so this file defines the imported targets itself:
#   Arrow::arrow      libarrow.so.<ver>       (core: arrays, builders, IO, memory pools)
#   Parquet::parquet  libparquet.so.<ver>     (parquet::arrow reader and writer; needs Arrow::arrow)
# Facts that shaped it (README.md, "Arrow and Parquet from the pyarrow wheel"):
# - the manylinux_2_28 wheels use the new libstdc++ ABI, so no _GLIBCXX_USE_CXX11_ABI=0;
# - pyarrow.get_libraries() names arrow and arrow_python only; libparquet is linked here by its
#   versioned file name, and arrow_python (needs libpython) is never linked;
# - the libraries carry versioned names only (libarrow.so.2600); we link those files directly
#   instead of calling pyarrow.create_library_symlinks(), which writes into the venv;
# - executables get an RPATH to the pyarrow folder (build and install tree) to find them at run time.

set(CLICKSTREAM_PYTHON "" CACHE FILEPATH "Python of the project venv that has pyarrow (.venv/bin/python)")
if(NOT CLICKSTREAM_PYTHON)
  if(EXISTS ${PROJECT_SOURCE_DIR}/.venv/bin/python)
    set(CLICKSTREAM_PYTHON ${PROJECT_SOURCE_DIR}/.venv/bin/python CACHE FILEPATH "" FORCE)
  else()
    message(FATAL_ERROR
      "Arrow/Parquet come from the pyarrow wheel, but no Python was given: run ./scripts/setup, "
      "or configure with -DCLICKSTREAM_PYTHON=<repo>/.venv/bin/python")
  endif()
endif()

execute_process(
  COMMAND ${CLICKSTREAM_PYTHON} -c
          "import pyarrow; print(pyarrow.__version__); print(pyarrow.get_include()); print(pyarrow.get_library_dirs()[0])"
  OUTPUT_VARIABLE _pyarrow_out
  ERROR_VARIABLE _pyarrow_err
  RESULT_VARIABLE _pyarrow_rc
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _pyarrow_rc EQUAL 0)
  message(FATAL_ERROR
    "${CLICKSTREAM_PYTHON} cannot import pyarrow (${_pyarrow_err}). Install the pinned packages "
    "with ./scripts/setup (pip install -r requirements.txt into .venv).")
endif()
string(REPLACE "\n" ";" _pyarrow_out "${_pyarrow_out}")
list(GET _pyarrow_out 0 CLICKSTREAM_PYARROW_VERSION)
list(GET _pyarrow_out 1 CLICKSTREAM_ARROW_INCLUDE_DIR)
list(GET _pyarrow_out 2 CLICKSTREAM_ARROW_LIB_DIR)

# pyarrow 26.0.1 -> so version 2600 (major * 100 + minor).
string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" _ "${CLICKSTREAM_PYARROW_VERSION}")
math(EXPR _arrow_so_version "${CMAKE_MATCH_1} * 100 + ${CMAKE_MATCH_2}")

function(_clickstream_import_arrow_library target file)
  set(path ${CLICKSTREAM_ARROW_LIB_DIR}/${file}.so.${_arrow_so_version})
  if(NOT EXISTS ${path})
    message(FATAL_ERROR
      "pyarrow ${CLICKSTREAM_PYARROW_VERSION} has no ${path}; the wheel's layout changed or the "
      "install is incomplete (reinstall with ./scripts/setup)")
  endif()
  add_library(${target} SHARED IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION ${path}
    IMPORTED_SONAME ${file}.so.${_arrow_so_version}
    INTERFACE_INCLUDE_DIRECTORIES ${CLICKSTREAM_ARROW_INCLUDE_DIR}
    # Arrow 22+ headers need C++20; the wheel was built with the new libstdc++ ABI (the default).
    INTERFACE_COMPILE_FEATURES cxx_std_20)
endfunction()

_clickstream_import_arrow_library(Arrow::arrow libarrow)
_clickstream_import_arrow_library(Parquet::parquet libparquet)
set_property(TARGET Parquet::parquet APPEND PROPERTY INTERFACE_LINK_LIBRARIES Arrow::arrow)
# Arrow::compute  libarrow_compute.so.<ver>  (kernels: sort, take, cast; call
# arrow::compute::Initialize() once before use, as Arrow 21+ requires)
_clickstream_import_arrow_library(Arrow::compute libarrow_compute)
set_property(TARGET Arrow::compute APPEND PROPERTY INTERFACE_LINK_LIBRARIES Arrow::arrow)

# Arrow::s3  libarrow_s3.so.<ver>  (Arrow's S3 filesystem with the AWS SDK inside; src/io)
_clickstream_import_arrow_library(Arrow::s3 libarrow_s3)
set_property(TARGET Arrow::s3 APPEND PROPERTY INTERFACE_LINK_LIBRARIES Arrow::arrow)

# The wheel's libparquet and libarrow export the symbols of the simdjson they vendor (a newer
# version than Debian's libsimdjson 3.0.1 that src/events parses with). With --as-needed and
# libparquet first, our simdjson calls bound to the wheel's copy and crashed (ABI mismatch). So every
# binary that links Arrow puts Debian's libsimdjson first on the link line and in DT_NEEDED: our code
# and the process's single simdjson are then Debian's. The wheel's vendored copy is only reached by
# Arrow/Parquet features we never use (tensor extension type metadata, Parquet geospatial JSON).
if(TARGET simdjson::simdjson)
  set_property(TARGET Arrow::arrow APPEND PROPERTY INTERFACE_LINK_OPTIONS
    "LINKER:--push-state,--no-as-needed" "$<TARGET_FILE:simdjson::simdjson>" "LINKER:--pop-state")
endif()

# Every executable that links them finds the wheel's libraries at run time from the venv.
list(APPEND CMAKE_BUILD_RPATH ${CLICKSTREAM_ARROW_LIB_DIR})
list(APPEND CMAKE_INSTALL_RPATH ${CLICKSTREAM_ARROW_LIB_DIR})
message(STATUS "Arrow/Parquet ${CLICKSTREAM_PYARROW_VERSION} from ${CLICKSTREAM_ARROW_LIB_DIR}")
