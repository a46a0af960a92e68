# capd: its configuration, XDP program and sockets, clock status, metrics,
# and capd end to end.  include()d from tests/CMakeLists.txt.

# The configuration table and parser (lib/capd_conf.c); the example config
# is checked against the key table and seeds the fuzzer.
capd_unit_test(test_conf SOURCES unit/test_conf.c LIBS capdconf PkgConfig::LIBCONFIG)
target_compile_definitions(test_conf PRIVATE
  CAPD_CONF_EXAMPLE="${PROJECT_SOURCE_DIR}/conf/capd.conf")
capd_fuzz_target(fuzz_conf SOURCES ${PROJECT_SOURCE_DIR}/lib/capd_conf.c
                 INCLUDES ${PROJECT_SOURCE_DIR}/lib LIBS caprings PkgConfig::LIBCONFIG
                 DICT fuzz_conf.dict SEEDS ${PROJECT_SOURCE_DIR}/conf)

# The XDP program's parser and feed matching, frame by frame, through
# BPF_PROG_TEST_RUN: no interface, but root (loading BPF).  Through a
# script, for the kernel log scanned after it.
capd_lab_test(lab_xdp_match xdp_match.sh)
set_tests_properties(lab_xdp_match PROPERTIES TIMEOUT 60)
# veth + netns: feeds in, everything else out, native and generic mode.
capd_lab_test(lab_xdp_select xdp_select.sh)

# Clock status: PTP management messages, verdict, leap seconds, UTC
# conversion, the pcapng clock option; against a real ptp4l in the lab.
capd_unit_test(test_clock SOURCES unit/test_clock.c LIBS capdclock capwrite)
capd_fuzz_target(fuzz_ptp_mgmt SOURCES ${PROJECT_SOURCE_DIR}/capd/ptp_mgmt.c
                 INCLUDES ${PROJECT_SOURCE_DIR}/capd DICT fuzz_ptp_mgmt.dict
                 SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/ptp_mgmt_corpus ARGS -max_len=512)
capd_lab_test(lab_clock_ptp clock_ptp.sh)

# capd's Prometheus textfile.
capd_unit_test(test_metrics SOURCES unit/test_metrics.c LIBS capdmetrics)

# The file as Prometheus's own Python client parses it, against the list
# in docs/man/capd.8.  Debian's python3-prometheus-client goes to the
# system python3, which need not be the first python3 in PATH (pyenv,
# venv): use the first that has the module; the test skips (77) if none.
set(_metrics_py "")
find_program(_metrics_py_path python3 NO_CACHE)
foreach(py IN ITEMS ${_metrics_py_path} /usr/bin/python3)
  if(NOT _metrics_py AND EXISTS "${py}")
    execute_process(COMMAND "${py}" -c "import prometheus_client.parser"
                    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(rc EQUAL 0)
      set(_metrics_py "${py}")
    endif()
  endif()
endforeach()
if(NOT _metrics_py)
  set(_metrics_py "${_metrics_py_path}")
endif()
if(_metrics_py)
  add_test(NAME metrics_parse
           COMMAND "${_metrics_py}" ${CMAKE_CURRENT_SOURCE_DIR}/metrics_parse.py
                   $<TARGET_FILE:test_metrics> ${PROJECT_SOURCE_DIR}/docs/man/capd.8)
else()
  add_test(NAME metrics_parse COMMAND sh -c "echo 'SKIP: no python3' >&2; exit 77")
endif()
set_tests_properties(metrics_parse PROPERTIES LABELS unit TIMEOUT 60 SKIP_RETURN_CODE 77)

# capd end to end (root): selection, integrity, no system calls, teardown;
# bad configurations; restarts.
capd_lab_test(lab_capd_capture capd_capture.sh)
capd_lab_test(lab_capd_badconf capd_badconf.sh)
capd_lab_test(lab_capd_restart capd_restart.sh)
# capd as capd.service runs it, without systemd (root): an ordinary user
# with exactly the unit's capabilities captures, drops, stops cleanly, and
# makes no system call the unit's filter refuses.
capd_lab_test(lab_capd_unit capd_unit.sh ${PROJECT_BINARY_DIR}/systemd/capd.service)
