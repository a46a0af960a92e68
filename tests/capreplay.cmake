# capreplay: include()d from tests/CMakeLists.txt.

# The schedule, the wait, the report and the store (unit).
capd_unit_test(test_replay_sched SOURCES unit/test_replay_sched.c LIBS replaycore)
# Label tsan too: a second thread asks the wait to stop.
capd_unit_test(test_replay_wait SOURCES unit/test_replay_wait.c LIBS replaycore Threads::Threads)
set_tests_properties(test_replay_wait PROPERTIES LABELS "unit;tsan")
capd_unit_test(test_replay_report SOURCES unit/test_replay_report.c LIBS replaycore)
# Its JSON report parsed back by Python's json module, keys and values.
add_test(NAME capreplay_report_json COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capreplay_report_json.sh
         $<TARGET_FILE:test_replay_report>)
set_tests_properties(capreplay_report_json PROPERTIES LABELS unit TIMEOUT 60 SKIP_RETURN_CODE 77)
capd_unit_test(test_replay_store SOURCES unit/test_replay_store.c LIBS replaycore)

# The rewriting (--map, destinations, frames and their checksums) and the
# senders (payload mode over lo; frame mode over lo as root, its refusal
# without CAP_NET_RAW): unit, no privileges needed.
capd_unit_test(test_replay_map SOURCES unit/test_replay_map.c LIBS replaycore)
capd_unit_test(test_replay_send SOURCES unit/test_replay_send.c LIBS replaycore)
# The rewritten frames' checksums judged by tshark.
add_test(NAME capreplay_map_tshark
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capreplay_map_tshark.sh
                 $<TARGET_FILE:test_replay_map>)
set_tests_properties(capreplay_map_tshark PROPERTIES LABELS unit TIMEOUT 60 SKIP_RETURN_CODE 77)
capd_fuzz_target(fuzz_replay_map
                 SOURCES ${PROJECT_SOURCE_DIR}/readers/capreplay/replay_map.c
                         ${PROJECT_SOURCE_DIR}/readers/common/frame.c
                         ${PROJECT_SOURCE_DIR}/readers/common/inet_csum.c
                         ${PROJECT_SOURCE_DIR}/lib/wirets.c
                 INCLUDES ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/readers/capreplay
                          ${PROJECT_SOURCE_DIR}/readers/common ${PROJECT_SOURCE_DIR}/lib
                 DICT fuzz_replay_map.dict
                 SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay_map_corpus
                 ARGS -max_len=512)
# Payload mode to an IPv6 group through a veth pair (lo routes no IPv6
# multicast), in a namespace of its own.
capd_lab_test(lab_capreplay_send_ipv6 capreplay_send_ipv6.sh $<TARGET_FILE:test_replay_send>)

# capreplay's lab tests: a recorded feed (tools/replay_gen.py) replayed
# through a veth into capd and re-recorded, judged by tshark, capinfos and
# capstat against the original (tools/replay_judge.py): timing and bursts,
# drift over 60 s, --speed/--pps/--loop and frame mode with --map, and the
# refusals.  The timing tests run alone (RUN_SERIAL), also under ctest -j:
# a unit test or fuzzer on one of the 2 CPUs would be measured as the
# replay's lateness.
capd_lab_test(lab_capreplay_timing capreplay_timing.sh)
capd_lab_test(lab_capreplay_drift capreplay_drift.sh)
capd_lab_test(lab_capreplay_rates capreplay_rates.sh)
capd_lab_test(lab_capreplay_refuse capreplay_refuse.sh)
set_tests_properties(lab_capreplay_timing lab_capreplay_drift lab_capreplay_rates PROPERTIES
                     RUN_SERIAL TRUE)
set_tests_properties(lab_capreplay_drift PROPERTIES TIMEOUT 180)

# No privileges: SIGINT mid-replay and SIGTERM during --at stop with the
# report, and a receiver on lo gets exactly what it says was sent.
add_test(NAME capreplay_stop COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capreplay_stop.sh)
set_tests_properties(capreplay_stop PROPERTIES LABELS unit TIMEOUT 60 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV}")
