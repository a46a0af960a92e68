# capdump end to end (root, with capd), judged by tshark, capinfos, tcpdump.
# include()d from tests/CMakeLists.txt.
capd_lab_test(lab_capdump_record capdump_record.sh)
capd_lab_test(lab_capdump_rotate capdump_rotate.sh)
capd_lab_test(lab_capdump_lapped capdump_lapped.sh)
capd_lab_test(lab_capdump_resume capdump_resume.sh)
capd_lab_test(lab_capdump_fulldisk capdump_fulldisk.sh)
capd_lab_test(lab_capdump_merge capdump_merge.sh)

# No privileges: damaged files for -r.
add_test(NAME capdump_badinput COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capdump_badinput.sh)
set_tests_properties(capdump_badinput PROPERTIES LABELS unit TIMEOUT 300 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV}")
