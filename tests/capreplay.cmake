# capreplay: the schedule, the wait and the report (unit).  include()d from
# tests/CMakeLists.txt.
capd_unit_test(test_replay_sched SOURCES unit/test_replay_sched.c LIBS replaycore)
