# Helpers that give every subsystem the same shape: one library target per folder, tests beside it.

set(CLICKSTREAM_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)

# clickstream_library(NAME SOURCES a.cc ... DEPS target ...)
# A static library whose headers are included as "<subsystem>/<file>.h" from src/.
function(clickstream_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  target_compile_options(${name} PRIVATE ${CLICKSTREAM_WARNINGS})
  if(CLICKSTREAM_WERROR)
    target_compile_options(${name} PRIVATE -Werror)
  endif()
endfunction()

# clickstream_test(NAME SOURCES a_test.cc ... DEPS target ...)
# A GoogleTest binary registered with ctest, one ctest entry per TEST.
function(clickstream_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${CLICKSTREAM_WARNINGS})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "CLICKSTREAM_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
