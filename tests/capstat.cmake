# capstat: decoders, sequence tracking, rates and bursts, A/B arbitration
# (unit); decoders fuzzed (fuzz); capd + feed_send + capstat live and from a
# capdump recording (lab).  include()d from tests/CMakeLists.txt.
capd_unit_test(test_seqdec SOURCES unit/test_seqdec.c LIBS capstatcore)
capd_unit_test(test_seqtrack SOURCES unit/test_seqtrack.c LIBS capstatcore)
capd_unit_test(test_feedstat SOURCES unit/test_feedstat.c LIBS capstatcore)
capd_unit_test(test_abarb SOURCES unit/test_abarb.c LIBS capstatcore)

# One libFuzzer target per decoder; the code under test is compiled in
# (seqdec.c dispatches to every decoder, so all of them are).
set(_seqdec seqdec.c seqdec_moldudp64.c seqdec_mdp3.c seqdec_pitch.c seqdec_generic.c seqtrack.c)
list(TRANSFORM _seqdec PREPEND ${PROJECT_SOURCE_DIR}/readers/capstat/)
foreach(proto moldudp64 mdp3 pitch generic)
  capd_fuzz_target(fuzz_seqdec_${proto}
                   SOURCES ${_seqdec}
                   INCLUDES ${PROJECT_SOURCE_DIR}/readers/capstat
                   DICT fuzz_seqdec_${proto}.dict
                   SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/seqdec_corpus/${proto}
                   ARGS -max_len=2048)
endforeach()

capd_lab_test(lab_capstat_feeds capstat_feeds.sh)
capd_lab_test(lab_capstat_rates capstat_rates.sh)
capd_lab_test(lab_capstat_table capstat_table.sh)

# No privileges: feed names from a file's NRB, and words naming no feed.
add_test(NAME capstat_names COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capstat_names.sh)
set_tests_properties(capstat_names PROPERTIES LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV}")
