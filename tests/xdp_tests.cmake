# Tests of capd's XDP program and AF_XDP layer (capd/xdp.cmake).  Included
# by tests/CMakeLists.txt when present; needs the capdxdp library.
if(NOT TARGET capdxdp)
  return()
endif()

add_executable(xsk_probe lab/xsk_probe.c)
target_link_libraries(xsk_probe PRIVATE capdxdp)

# The program's parser and feed matching, frame by frame, through
# BPF_PROG_TEST_RUN: no interface, but root (loading BPF).
add_executable(xdp_match lab/xdp_match.c)
target_link_libraries(xdp_match PRIVATE capdxdp)
add_test(NAME lab_xdp_match COMMAND xdp_match)
set_tests_properties(lab_xdp_match PROPERTIES LABELS lab TIMEOUT 60 SKIP_RETURN_CODE 77
                     RESOURCE_LOCK lab)

# veth + netns: feeds in, everything else out, native and generic mode.
capd_lab_test(lab_xdp_select xdp_select.sh $<TARGET_FILE:xsk_probe> $<TARGET_FILE:mcast_send>)
