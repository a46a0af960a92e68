# capdump end to end (root, with capd), judged by tshark, capinfos, tcpdump.
# include()d from tests/CMakeLists.txt.
capd_lab_test(lab_capdump_record capdump_record.sh)
capd_lab_test(lab_capdump_rotate capdump_rotate.sh)
capd_lab_test(lab_capdump_lapped capdump_lapped.sh)
capd_lab_test(lab_capdump_resume capdump_resume.sh)
capd_lab_test(lab_capdump_fulldisk capdump_fulldisk.sh)
capd_lab_test(lab_capdump_merge capdump_merge.sh)
# Time from the wire (issue 20), one capd on five interfaces, one per
# timestamp kind: EPB times, stripping, counts, against tshark's dissectors.
capd_lab_test(lab_wire_ts wire_ts.sh)
# --resume exactly-once: SIGKILLs under load, a power loss, a replaced ring;
# ISB counters across a restart of capd.
capd_lab_test(lab_capdump_resume_load capdump_resume_load.sh)
# The state names a file before it is created (strace).
capd_lab_test(lab_capdump_resume_order capdump_resume_order.sh)
set_tests_properties(lab_capdump_resume_load PROPERTIES TIMEOUT 300)
capd_lab_test(lab_capdump_resume_power capdump_resume_power.sh)
capd_lab_test(lab_capdump_resume_ring capdump_resume_ring.sh)
capd_lab_test(lab_capdump_counters capdump_counters.sh)
# The archive (issue 18's acceptance): -G 10 recording of sequenced feeds with
# known gaps; extraction by time, feed, sequence range and filter against
# tshark's scan; the listing's gaps and drops; indexes rebuilt identical.
# ARCHIVE_SECS (default 40) sets the recording's length.
capd_lab_test(lab_capdump_archive capdump_archive.sh)
set_tests_properties(lab_capdump_archive PROPERTIES TIMEOUT 240)
# Output names: rotated files never replace a file, the summary is what is on disk.
capd_lab_test(lab_capdump_names capdump_names.sh)
set_tests_properties(lab_capdump_names PROPERTIES TIMEOUT 300)
# The index beside every closed file: matches it (tshark), rebuilt
# byte-identical, after SIGKILL and --resume too; corrupt ones rebuilt.
capd_lab_test(lab_capdump_index capdump_index.sh)
set_tests_properties(lab_capdump_index PROPERTIES TIMEOUT 180)
# capdump --list against the files (tshark, their ISBs): packets, times,
# sequence numbers, the gaps the sender made inside and across files,
# drops, the hole between two recordings; a removed index rebuilt.
capd_lab_test(lab_capdump_list capdump_list.sh)
set_tests_properties(lab_capdump_list PROPERTIES TIMEOUT 180)
# -w a character device, a FIFO, a symlink, a socket: never replaced.
capd_lab_test(lab_capdump_target capdump_target.sh)
# Retention: --archive-size under -G 1 polled while it runs (the budget,
# oldest first, never the file being written, logs, capctl status and
# --prom agree with the directory); --min-free on a small tmpfs.
capd_lab_test(lab_capdump_retain capdump_retain.sh)
set_tests_properties(lab_capdump_retain PROPERTIES TIMEOUT 180)

# The --resume state, finishing a killed (or power-cut) recorder's file, and
# the ring positions it names.
capd_unit_test(test_resume SOURCES unit/test_resume.c ${PROJECT_SOURCE_DIR}/readers/capdump/resume.c
               ${PROJECT_SOURCE_DIR}/readers/capdump/fname.c LIBS capwrite)
target_include_directories(test_resume PRIVATE ${PROJECT_SOURCE_DIR}/readers/capdump)

# capdump --list over an archive made here: per file packets, drops (ISB
# increases within a recording), gaps inside and across files, holes;
# missing and corrupt indexes built and stored; --start/--end, globs.
capd_unit_test(test_dumplist SOURCES unit/test_dumplist.c unit/archive_files.c
               ${PROJECT_SOURCE_DIR}/readers/capdump/dumplist.c LIBS readcommon
               PkgConfig::LIBZSTD)
target_include_directories(test_dumplist PRIVATE ${PROJECT_SOURCE_DIR}/readers/capdump)

# capdump's output as a re-writer of foreign files drives it: interfaces
# added at any time, pre-built blocks, rotation, -F pcap; "tools" has
# capinfos and tshark judge the files (77 if one is not installed).
capd_unit_test(test_dumpfile SOURCES unit/test_dumpfile.c
               ${PROJECT_SOURCE_DIR}/readers/capdump/dumpfile.c
               ${PROJECT_SOURCE_DIR}/readers/capdump/delivery.c
               ${PROJECT_SOURCE_DIR}/readers/capdump/fname.c LIBS capwrite)
target_include_directories(test_dumpfile PRIVATE ${PROJECT_SOURCE_DIR}/readers/capdump)
add_test(NAME test_dumpfile_tools COMMAND test_dumpfile tools)
set_tests_properties(test_dumpfile_tools PROPERTIES LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77)

# No privileges: a recording of a ring set (test_ringset make) against one
# of a single ring with the same traffic, judged by tshark and capinfos.
add_test(NAME capdump_ringset COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capdump_ringset.sh)
set_tests_properties(capdump_ringset PROPERTIES LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV};RING_SET_MAKE=$<TARGET_FILE:test_ringset>")

# No privileges: damaged files for -r.
add_test(NAME capdump_badinput COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capdump_badinput.sh)
set_tests_properties(capdump_badinput PROPERTIES LABELS unit TIMEOUT 300 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV}")

# capd killed and restarted at once with another ring size, then another
# block size, under a running capdump and capstat: the readers follow the
# ring into its new file (lib/ring_file.c, readers/common/ringsrc.c).
capd_lab_test(lab_ring_replace ring_replace.sh)

# No privileges: the text lines (without -w) against tcpdump's on the same files.
add_test(NAME capdump_textout COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capdump_textout.sh)
set_tests_properties(capdump_textout PROPERTIES LABELS unit TIMEOUT 300 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV}")

# No privileges: capdump's command line on files (a closed pipe, the format
# from -w's name, -s, option errors, --help), judged by tshark and capinfos.
add_test(NAME capdump_cli COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capdump_cli.sh)
set_tests_properties(capdump_cli PROPERTIES LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV}")
capd_lab_test(lab_capdump_pipe capdump_pipe.sh)

# No privileges: capdump -r on pcapng and pcap files other tools wrote
# (text2pcap, mergecap, editcap) and hand-written ones
# (lab/tools/pcapng_gen.py): interfaces, link types, sections, times and
# blocks kept, judged by tshark and capinfos.  As root it also records with
# dumpcap on two interfaces inside its own network namespace.
add_test(NAME capdump_foreign COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capdump_foreign.sh)
set_tests_properties(capdump_foreign PROPERTIES LABELS unit TIMEOUT 600 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV}")

# No privileges: extraction from an indexed archive (capdump -r DIR with
# --start/--end, --feed, --seq, an expression) against tshark's selection
# from every file, and against a read of every file.
add_test(NAME capdump_extract COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capdump_extract.sh)
set_tests_properties(capdump_extract PROPERTIES LABELS unit TIMEOUT 600 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV}")

# Retention (--archive-size, --min-free): the names of the archive, their
# order, what a budget removes, a pass over a directory.
capd_unit_test(test_retain SOURCES unit/test_retain.c ${PROJECT_SOURCE_DIR}/readers/capdump/retain.c
               ${PROJECT_SOURCE_DIR}/readers/capdump/fname.c LIBS readcommon)
target_include_directories(test_retain PRIVATE ${PROJECT_SOURCE_DIR}/readers/capdump)

# No privileges: time from the wire on files (lab/tools/wirets_gen.py:
# Metamako and Exablaze trailers, Arista headers, broken ones): EPB time = the stamp's
# to the ns, the host's time in the EPB option, fallbacks counted,
# tshark's own dissectors read the same times, --strip-timestamp gives the
# original frames byte for byte, the file read back, capstat's counts.
add_test(NAME capdump_wirets COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capdump_wirets.sh)
set_tests_properties(capdump_wirets PROPERTIES LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77
                     ENVIRONMENT
                     "${CAPD_LAB_ENV};RING_WIRE_MAKE=$<TARGET_FILE:test_readloop_wire>")
