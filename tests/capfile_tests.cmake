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

if(TARGET capread)
  capd_fuzz_target(fuzz_capfile SOURCES ${PROJECT_SOURCE_DIR}/readers/capfile.c
                   INCLUDES ${PROJECT_SOURCE_DIR}/readers LIBS capwrite PkgConfig::LIBZSTD
                   DICT fuzz_capfile.dict SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/capfile_corpus
                   ARGS -max_len=4096)
endif()
