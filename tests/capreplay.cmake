# capreplay: the schedule, the wait and the report (unit).  include()d from
# tests/CMakeLists.txt.
capd_unit_test(test_replay_sched SOURCES unit/test_replay_sched.c LIBS replaycore)
# Label tsan too: a second thread asks the wait to stop.
capd_unit_test(test_replay_wait SOURCES unit/test_replay_wait.c LIBS replaycore Threads::Threads)
set_tests_properties(test_replay_wait PROPERTIES LABELS "unit;tsan")
