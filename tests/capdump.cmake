# capdump end to end (root, with capd), judged by tshark, capinfos, tcpdump.
# include()d from tests/CMakeLists.txt.
set(_cd $<TARGET_FILE:capd> $<TARGET_FILE:mcast_send> $<TARGET_FILE:capdump>)
capd_lab_test(lab_capdump_record capdump_record.sh ${_cd} $<TARGET_FILE:payload_check>)
capd_lab_test(lab_capdump_rotate capdump_rotate.sh ${_cd} $<TARGET_FILE:payload_check>)
capd_lab_test(lab_capdump_lapped capdump_lapped.sh ${_cd})
capd_lab_test(lab_capdump_resume capdump_resume.sh ${_cd} $<TARGET_FILE:payload_check>)
capd_lab_test(lab_capdump_fulldisk capdump_fulldisk.sh ${_cd})
capd_lab_test(lab_capdump_merge capdump_merge.sh ${_cd})

# No privileges: damaged files for -r.
add_test(NAME capdump_badinput COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capdump_badinput.sh
         $<TARGET_FILE:capdump>)
set_tests_properties(capdump_badinput PROPERTIES LABELS unit TIMEOUT 300 SKIP_RETURN_CODE 77)
