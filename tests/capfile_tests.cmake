# Capture-file tests (pcapng/pcap encoders, capfile reader); include()d from
# tests/CMakeLists.txt.
if(TARGET capread)
  capd_unit_test(test_pcapng SOURCES unit/test_pcapng.c LIBS capwrite capread)
  # The same program has capinfos, tshark and tcpdump read what it writes
  # (exit 77 if one is not installed).
  add_test(NAME test_pcapng_tools COMMAND test_pcapng tools)
  set_tests_properties(test_pcapng_tools PROPERTIES LABELS unit TIMEOUT 120
                       SKIP_RETURN_CODE 77)
  capd_unit_test(test_capfile SOURCES unit/test_capfile.c LIBS capread PkgConfig::LIBZSTD
                 TIMEOUT 120)
endif()

option(BUILD_FUZZERS "Build libFuzzer targets (clang only)" OFF)
if(TARGET capread AND BUILD_FUZZERS AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  # capfile.c is compiled into the fuzzer so that it is instrumented.
  add_executable(fuzz_capfile fuzz/fuzz_capfile.c ${PROJECT_SOURCE_DIR}/readers/capfile.c)
  target_include_directories(fuzz_capfile PRIVATE ${PROJECT_SOURCE_DIR}/readers)
  target_link_libraries(fuzz_capfile PRIVATE capwrite PkgConfig::LIBZSTD)
  if(SANITIZE MATCHES thread)
    set(_fuzz_san fuzzer)
  else()
    set(_fuzz_san fuzzer,address,undefined)
  endif()
  target_compile_options(fuzz_capfile PRIVATE -fsanitize=${_fuzz_san} -fno-omit-frame-pointer)
  target_link_options(fuzz_capfile PRIVATE -fsanitize=${_fuzz_san})
  # Smoke run: new inputs go to the build tree; the committed seeds are read.
  set(_fuzz_corpus ${CMAKE_CURRENT_BINARY_DIR}/fuzz_capfile_corpus)
  file(MAKE_DIRECTORY ${_fuzz_corpus})
  add_test(NAME fuzz_capfile COMMAND fuzz_capfile -max_total_time=20 -max_len=4096
           -dict=${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_capfile.dict
           ${_fuzz_corpus} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/capfile_corpus)
  set_tests_properties(fuzz_capfile PROPERTIES LABELS fuzz TIMEOUT 120)
endif()
