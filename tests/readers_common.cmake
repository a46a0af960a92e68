# readers/common/: capture-file input and reader status files.
# include()d from tests/CMakeLists.txt.
capd_unit_test(test_capfile SOURCES unit/test_capfile.c LIBS readcommon PkgConfig::LIBZSTD
               TIMEOUT 120)
capd_fuzz_target(fuzz_capfile SOURCES ${PROJECT_SOURCE_DIR}/readers/common/capfile.c
                 ${PROJECT_SOURCE_DIR}/lib/pcapng_feed.c
                 INCLUDES ${PROJECT_SOURCE_DIR}/readers/common LIBS capwrite PkgConfig::LIBZSTD
                 DICT fuzz_capfile.dict SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/capfile_corpus
                 ARGS -max_len=4096)

# The index beside each closed file: live equals rebuilt, corruption and
# staleness refused, bounded lists.
capd_unit_test(test_capindex SOURCES unit/test_capindex.c LIBS readcommon PkgConfig::LIBZSTD
               TIMEOUT 120)
capd_fuzz_target(fuzz_capindex SOURCES ${PROJECT_SOURCE_DIR}/readers/common/capindex.c
                 ${PROJECT_SOURCE_DIR}/readers/common/file_slurp.c
                 INCLUDES ${PROJECT_SOURCE_DIR}/readers/common LIBS caprings
                 DICT fuzz_capindex.dict
                 SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/capindex_corpus)

# The status files readers announce themselves with (capctl status lists them).
capd_unit_test(test_reader_status SOURCES unit/test_reader_status.c LIBS readcommon)
capd_fuzz_target(fuzz_reader_status SOURCES ${PROJECT_SOURCE_DIR}/readers/common/reader_status.c
                 ${PROJECT_SOURCE_DIR}/readers/common/json_out.c
                 INCLUDES ${PROJECT_SOURCE_DIR}/readers/common DICT fuzz_reader_status.dict
                 SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/reader_status_corpus)

# Ring input follows its ring into the file that replaced it.
capd_unit_test(test_ringsrc SOURCES unit/test_ringsrc.c LIBS readcommon)
# Time from the wire over a ring: the stamp's time (TAI made UTC), the
# host's kept, fallbacks counted, frames seen through the Arista header.
capd_unit_test(test_readloop_wire SOURCES unit/test_readloop_wire.c LIBS readcommon)
# Ring sets: a name reads all its rings as one source (merged, each record
# once), members checked, waited for and named; sets too large refused.
capd_unit_test(test_ringset SOURCES unit/test_ringset.c LIBS readcommon)

# Readers and capctl status when capd does not run the ring (never started,
# stopped, killed), --wait, and -D against capctl status.
capd_lab_test(lab_ring_notrunning ring_notrunning.sh)
capd_unit_test(test_filelist SOURCES unit/test_filelist.c LIBS readcommon)
