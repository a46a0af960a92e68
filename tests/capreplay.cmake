# capreplay: the schedule, the wait and the report (unit).  include()d from
# tests/CMakeLists.txt.
capd_unit_test(test_replay_sched SOURCES unit/test_replay_sched.c LIBS replaycore)
# Label tsan too: a second thread asks the wait to stop.
capd_unit_test(test_replay_wait SOURCES unit/test_replay_wait.c LIBS replaycore Threads::Threads)
set_tests_properties(test_replay_wait PROPERTIES LABELS "unit;tsan")
capd_unit_test(test_replay_report SOURCES unit/test_replay_report.c LIBS replaycore)
# Its JSON report parsed back by Python's json module, keys and values.
add_test(NAME capreplay_report_json COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capreplay_report_json.sh
         $<TARGET_FILE:test_replay_report>)
set_tests_properties(capreplay_report_json PROPERTIES LABELS unit TIMEOUT 60 SKIP_RETURN_CODE 77)
