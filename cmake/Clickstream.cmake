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
  # Test code itself is not optimised (the libraries under test are): -O0 halves its compile time.
  target_compile_options(${name} PRIVATE ${CLICKSTREAM_WARNINGS} -O0)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "CLICKSTREAM_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# clickstream_subsystem(NAME DEPS target ...)
# The library of one src/<subsystem>/ folder: every *.cc except *_test.cc (and main.cc) goes into
# the library, and every *_test.cc becomes a test binary <folder>_<file> linked against it. Adding a
# file needs no edit here.
function(clickstream_subsystem name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  list(REMOVE_ITEM sources ${tests} ${CMAKE_CURRENT_SOURCE_DIR}/main.cc)
  clickstream_library(${name} SOURCES ${sources} DEPS ${ARG_DEPS})
  get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  foreach(test ${tests})
    get_filename_component(stem ${test} NAME_WE)
    clickstream_test(${folder}_${stem} SOURCES ${test} DEPS ${name} ${ARG_TEST_DEPS})
  endforeach()
endfunction()
