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
  # Sources of one library share a translation unit in batches of 8 (CLICKSTREAM_UNITY_BUILD), so
  # names at namespace scope must be unique within a library, anonymous namespaces included.
  set_target_properties(${name} PROPERTIES UNITY_BUILD ${CLICKSTREAM_UNITY_BUILD}
                                           UNITY_BUILD_BATCH_SIZE 8)
  if(CLICKSTREAM_WERROR)
    target_compile_options(${name} PRIVATE -Werror)
  endif()
endfunction()

# clickstream_test(NAME SOURCES a_test.cc ... DEPS target ... [ONE_PROCESS])
# A GoogleTest binary registered with ctest, one ctest entry per TEST; with ONE_PROCESS one entry
# for the whole binary, so its TESTs share a costly global fixture (a broker) instead of starting
# one each.
function(clickstream_test name)
  cmake_parse_arguments(ARG "ONE_PROCESS" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  # Test code itself is not optimised (the libraries under test are): -O0 halves its compile time.
  # Tests name only the fields of an options struct they set (designated initializers, the rest
  # keep their defaults), which -Wextra's missing-field-initializers would report.
  target_compile_options(${name} PRIVATE ${CLICKSTREAM_WARNINGS} -Wno-missing-field-initializers -O0)
  # Each test is labelled with its binary, so `ctest -L <binary>` runs the tests of chosen binaries.
  if(ARG_ONE_PROCESS)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS ${name}
                         ENVIRONMENT "CLICKSTREAM_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                         PROPERTIES LABELS ${name}
                                    ENVIRONMENT "CLICKSTREAM_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  endif()
endfunction()

# clickstream_subsystem(NAME DEPS target ... [ONE_PROCESS_TESTS a_test ...])
# The library of one src/<subsystem>/ folder: every *.cc except *_test.cc (and main.cc) goes into
# the library, and every *_test.cc becomes a test binary <folder>_<file> linked against it (the
# ones named in ONE_PROCESS_TESTS run as one ctest entry, see clickstream_test). Adding a file
# needs no edit here.
function(clickstream_subsystem name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS;ONE_PROCESS_TESTS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  list(REMOVE_ITEM sources ${tests} ${CMAKE_CURRENT_SOURCE_DIR}/main.cc)
  clickstream_library(${name} SOURCES ${sources} DEPS ${ARG_DEPS})
  get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  foreach(test ${tests})
    get_filename_component(stem ${test} NAME_WE)
    set(one_process "")
    if(stem IN_LIST ARG_ONE_PROCESS_TESTS)
      set(one_process ONE_PROCESS)
    endif()
    clickstream_test(${folder}_${stem} SOURCES ${test} DEPS ${name} ${ARG_TEST_DEPS} ${one_process})
  endforeach()
endfunction()
