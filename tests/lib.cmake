# lib/: the ring, units, the pcapng encoders and the zstd sink.
# include()d from tests/CMakeLists.txt.
capd_unit_test(test_units SOURCES unit/test_units.c LIBS caprings)
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
