# capstat: rates and bursts, A/B arbitration (unit); capd + feed_send +
# capstat live and from a capdump recording (lab).  Its decoders and
# sequence tracking are lib/'s (tests/lib.cmake).  include()d from
# tests/CMakeLists.txt.
capd_unit_test(test_feedstat SOURCES unit/test_feedstat.c LIBS capstatcore)
capd_unit_test(test_abarb SOURCES unit/test_abarb.c LIBS capstatcore)
capd_unit_test(test_latency SOURCES unit/test_latency.c LIBS capstatcore)

capd_lab_test(lab_capstat_feeds capstat_feeds.sh)
# Feeds know their protocol: capd.conf's feeds[].proto, through the ring and
# capdump's files (and capdump -r of them), used by capstat without --proto.
capd_lab_test(lab_capstat_proto capstat_proto.sh)
capd_lab_test(lab_capstat_rates capstat_rates.sh)
capd_lab_test(lab_capstat_table capstat_table.sh)
capd_lab_test(lab_capstat_latency capstat_latency.sh)

# No privileges: feed names from a file's NRB, and words naming no feed.
add_test(NAME capstat_names COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capstat_names.sh)
set_tests_properties(capstat_names PROPERTIES LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV}")

# No privileges: app-to-wire latency of MDP 3.0, ITCH 5.0 and PITCH from
# files of known sender times and offsets (tools/app2wire_gen.py), across
# local midnight and both summer time changes.
capd_unit_test(test_app2wire SOURCES unit/test_app2wire.c LIBS capstatcore)
add_test(NAME capstat_app2wire COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capstat_app2wire.sh)
set_tests_properties(capstat_app2wire PROPERTIES LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV}")
# No privileges: latency between two capture points from generated files.
add_test(NAME capstat_latency_files
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capstat_latency_files.sh)
# Label tsan too: the second input is read in a thread of its own.
set_tests_properties(capstat_latency_files PROPERTIES LABELS "unit;tsan" TIMEOUT 120
                     SKIP_RETURN_CODE 77 ENVIRONMENT "${CAPD_LAB_ENV}")
