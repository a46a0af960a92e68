# capship, the ClickHouse shipper (issue 22): its configuration and
# credentials file, its state file, its rows of an archive against
# capdump --list.  No ClickHouse and no privileges here; the lab tests
# against a real clickhouse-server are in docs/clickhouse's harness.
# include()d from tests/CMakeLists.txt.
capd_unit_test(test_ship_conf SOURCES unit/test_ship_conf.c LIBS shipcore)
capd_unit_test(test_ship_state SOURCES unit/test_ship_state.c LIBS shipcore)
# An archive made here (test_dumplist's files), shipped to a fake sink and
# compared with capdump --list --json of it; exactly once across a failed
# pass, an untrusted index, a removal, a state file cut short.
capd_unit_test(test_ship_rows SOURCES unit/test_ship_rows.c unit/archive_files.c
               ${PROJECT_SOURCE_DIR}/readers/capdump/dumplist.c LIBS shipcore
               PkgConfig::LIBZSTD)
target_include_directories(test_ship_rows PRIVATE ${PROJECT_SOURCE_DIR}/readers/capdump)
# The state file's parser on any bytes (capship reads what a disk returns).
capd_fuzz_target(fuzz_ship_state SOURCES ${PROJECT_SOURCE_DIR}/readers/capship/ship_state.c
                 INCLUDES ${PROJECT_SOURCE_DIR}/readers/capship LIBS readcommon
                 DICT fuzz_ship_state.dict
                 SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/ship_state_corpus)
# capstat --json files into intervals rows: merged latency, intervals
# complete only when the next begins, offsets in the state once acked.
capd_unit_test(test_ship_intervals SOURCES unit/test_ship_intervals.c LIBS shipcore)
# A capstat --json line on any bytes (a capstat file is another process's).
capd_fuzz_target(fuzz_ship_jsonl SOURCES ${PROJECT_SOURCE_DIR}/readers/capship/ship_jsonl.c
                 INCLUDES ${PROJECT_SOURCE_DIR}/readers/capship ${PROJECT_SOURCE_DIR}/lib LIBS m
                 DICT fuzz_ship_jsonl.dict
                 SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/ship_jsonl_corpus)
