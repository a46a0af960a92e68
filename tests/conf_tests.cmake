# capd configuration tests; include()d from tests/CMakeLists.txt.
capd_unit_test(test_conf SOURCES unit/test_conf.c LIBS capdconf PkgConfig::LIBCONFIG)
# The example config is checked against the key table.
target_compile_definitions(test_conf PRIVATE
  CAPD_CONF_EXAMPLE="${PROJECT_SOURCE_DIR}/conf/capd.conf")

option(BUILD_FUZZERS "Build libFuzzer targets (clang only)" OFF)
if(BUILD_FUZZERS AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  # capd_conf.c is compiled into the fuzzer so that it is instrumented for
  # coverage; capdconf itself stays uninstrumented for the unit tests.
  add_executable(fuzz_conf fuzz/fuzz_conf.c ${PROJECT_SOURCE_DIR}/capd/capd_conf.c)
  target_include_directories(fuzz_conf PRIVATE ${PROJECT_SOURCE_DIR}/capd)
  target_link_libraries(fuzz_conf PRIVATE caprings PkgConfig::LIBCONFIG)
  if(SANITIZE MATCHES thread)
    set(_fuzz_san fuzzer)
  else()
    set(_fuzz_san fuzzer,address,undefined)
  endif()
  target_compile_options(fuzz_conf PRIVATE -fsanitize=${_fuzz_san} -fno-omit-frame-pointer)
  target_link_options(fuzz_conf PRIVATE -fsanitize=${_fuzz_san})
  # Smoke run: new inputs go to the build tree, the example config seeds it.
  set(_fuzz_corpus ${CMAKE_CURRENT_BINARY_DIR}/fuzz_conf_corpus)
  file(MAKE_DIRECTORY ${_fuzz_corpus})
  add_test(NAME fuzz_conf COMMAND fuzz_conf -max_total_time=20
           -dict=${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_conf.dict
           ${_fuzz_corpus} ${PROJECT_SOURCE_DIR}/conf)
  set_tests_properties(fuzz_conf PROPERTIES LABELS fuzz TIMEOUT 120)
endif()
