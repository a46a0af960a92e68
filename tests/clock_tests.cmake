# Clock status tests (PTP management messages, verdict, leap seconds, UTC
# conversion, the pcapng clock option); include()d from tests/CMakeLists.txt.
if(TARGET capdclock)
  capd_unit_test(test_clock SOURCES unit/test_clock.c LIBS capdclock capwrite)
  capd_fuzz_target(fuzz_ptp_mgmt SOURCES ${PROJECT_SOURCE_DIR}/capd/ptp_mgmt.c
                   INCLUDES ${PROJECT_SOURCE_DIR}/capd DICT fuzz_ptp_mgmt.dict
                   SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/ptp_mgmt_corpus ARGS -max_len=512)
endif()
if(TARGET capd AND TARGET capctl AND TARGET capdump)
  capd_lab_test(lab_clock_ptp clock_ptp.sh $<TARGET_FILE:capd> $<TARGET_FILE:mcast_send>
                $<TARGET_FILE:ring_flows> $<TARGET_FILE:capctl> $<TARGET_FILE:capdump>)
endif()
