# capctl tests; include()d from tests/CMakeLists.txt.
if(NOT TARGET capctl)
  return()
endif()

# The doctor's verdicts on made-up boxes, its CPU lists and IRQ names.
capd_unit_test(test_doctor SOURCES unit/test_doctor.c LIBS capdoctor)

# capctl doctor on a real lab box (root): hugepages, ring permissions and
# XDP mode, each failing and passing; as an ordinary user, unknowns.
if(TARGET capd)
  capd_lab_test(lab_capctl_doctor capctl_doctor.sh $<TARGET_FILE:capctl> $<TARGET_FILE:capd>)
endif()

# capctl status against the truth of a lab capture: counters, the ring's
# window, readers with a known lag and losses, capd's metrics, a killed capd.
if(TARGET capd AND TARGET capdump AND TARGET capstat)
  capd_lab_test(lab_capctl_status capctl_status.sh $<TARGET_FILE:capd> $<TARGET_FILE:mcast_send>
                $<TARGET_FILE:capdump> $<TARGET_FILE:capstat> $<TARGET_FILE:capctl>)
endif()

# The reader status files capctl status lists readers from: unit and fuzz.
if(TARGET capreader)
  capd_unit_test(test_reader_status SOURCES unit/test_reader_status.c LIBS capreader)
  capd_fuzz_target(fuzz_reader_status SOURCES ${PROJECT_SOURCE_DIR}/readers/reader_status.c
                   INCLUDES ${PROJECT_SOURCE_DIR}/readers DICT fuzz_reader_status.dict
                   SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/reader_status_corpus)
endif()
