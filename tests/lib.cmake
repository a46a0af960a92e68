# lib/: the ring, units, the pcapng encoders, the zstd sink, the sequence
# decoders and tracking.  include()d from tests/CMakeLists.txt.
capd_unit_test(test_units SOURCES unit/test_units.c LIBS caprings)
# netdev.c's route lookup (rtnetlink), on lo.
capd_unit_test(test_netdev_route SOURCES unit/test_netdev_route.c LIBS caprings)
capd_unit_test(test_ring SOURCES unit/test_ring.c LIBS caprings)
capd_unit_test(test_ring_mt SOURCES unit/test_ring_mt.c LIBS caprings Threads::Threads)
set_tests_properties(test_ring_mt PROPERTIES LABELS "unit;tsan")
capd_unit_test(test_ring_stress SOURCES unit/test_ring_stress.c LIBS caprings TIMEOUT 120)

# The ring file on hugetlbfs (root): permissions, and the hugepage pool.
capd_lab_test(lab_ring_perm ring_perm.sh)
capd_lab_test(lab_ring_hugepages ring_hugepages.sh)
# A ring created right after an AF_XDP process (a capd) was killed, while
# the kernel still releases its hugepages.
capd_lab_test(lab_ring_restart_now ring_restart_now.sh)

capd_unit_test(test_pcapng SOURCES unit/test_pcapng.c LIBS capwrite readcommon)
# capdump's time-from-the-wire options: bytes pinned, decoded, found in blobs.
capd_unit_test(test_pcapng_wirets SOURCES unit/test_pcapng_wirets.c LIBS capwrite)
# The same program has capinfos, tshark and tcpdump read what it writes
# (exit 77 if one is not installed).
add_test(NAME test_pcapng_tools COMMAND test_pcapng tools)
set_tests_properties(test_pcapng_tools PROPERTIES LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77)

# zstd output sink.  Its threaded mode (the compressor thread) wants TSan too.
capd_unit_test(test_zout SOURCES unit/test_zout.c LIBS capwrite)
set_tests_properties(test_zout PROPERTIES LABELS "unit;tsan")
# The same program on a full tmpfs: needs root (a private mount namespace).
add_test(NAME test_zout_tmpfs COMMAND test_zout tmpfs)
set_tests_properties(test_zout_tmpfs PROPERTIES LABELS unit TIMEOUT 60 SKIP_RETURN_CODE 77)

# The feeds' sequence protocols (capseq): decoders, sequence tracking, and a
# feed table entry's protocol in the ring and in files.
capd_unit_test(test_seqdec SOURCES unit/test_seqdec.c LIBS capseq)
capd_unit_test(test_seqtrack SOURCES unit/test_seqtrack.c LIBS capseq)
# Switch timestamps from the wire (lib/wirets.c, in capseq): every format,
# status and strip on frames the test builds.
capd_unit_test(test_wirets SOURCES unit/test_wirets.c LIBS capseq)
capd_unit_test(test_ring_feed SOURCES unit/test_ring_feed.c LIBS capseq capwrite readcommon)

# One libFuzzer target per decoder; the code under test is compiled in
# (seqdec.c dispatches to every decoder, so all of them are).
set(_seqdec seqdec.c seqdec_moldudp64.c seqdec_mdp3.c seqdec_pitch.c seqdec_generic.c seqtrack.c)
list(TRANSFORM _seqdec PREPEND ${PROJECT_SOURCE_DIR}/lib/)
# Each message's sender time (app-to-wire latency): every bounds path of
# each format; the fuzz target's first byte of an input picks the format.
capd_unit_test(test_sendtime SOURCES unit/test_sendtime.c LIBS capseq)
capd_fuzz_target(fuzz_sendtime
                 SOURCES ${PROJECT_SOURCE_DIR}/lib/sendtime.c ${_seqdec}
                 INCLUDES ${PROJECT_SOURCE_DIR}/lib
                 DICT fuzz_sendtime.dict
                 SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/sendtime_corpus
                 ARGS -max_len=2048)
foreach(proto moldudp64 mdp3 pitch generic)
  capd_fuzz_target(fuzz_seqdec_${proto}
                   SOURCES ${_seqdec}
                   INCLUDES ${PROJECT_SOURCE_DIR}/lib
                   DICT fuzz_seqdec_${proto}.dict
                   SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/seqdec_corpus/${proto}
                   ARGS -max_len=2048)
endforeach()

# The switch timestamp decoders (lib/wirets.c), one target per family; the
# input carries the host's time and the wire bytes beyond the capture.
foreach(fam metamako exablaze arista)
  capd_fuzz_target(fuzz_wirets_${fam}
                   SOURCES ${PROJECT_SOURCE_DIR}/lib/wirets.c
                   INCLUDES ${PROJECT_SOURCE_DIR}/lib
                   DICT fuzz_wirets_${fam}.dict
                   SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/wirets_corpus/${fam}
                   ARGS -max_len=2048)
endforeach()

# What wirets_decode() finds in a capture file, printed as wirets_gen.py's
# expectations; wirets_tshark.sh compares it, the generator and tshark's
# Metamako, Exablaze and Arista (avsp) dissectors on every kind (77 without
# tshark).
add_executable(wirets_print unit/wirets_print.c)
target_link_libraries(wirets_print PRIVATE capseq readcommon)
add_test(NAME wirets_tshark COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/wirets_tshark.sh)
set_tests_properties(wirets_tshark PROPERTIES LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77
                     ENVIRONMENT "WIRETS_PRINT=$<TARGET_FILE:wirets_print>")
