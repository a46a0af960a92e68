# zstd output sink tests; include()d from tests/CMakeLists.txt.
capd_unit_test(test_zout SOURCES unit/test_zout.c LIBS capwrite)
# The same program on a full tmpfs: needs root (a private mount namespace).
add_test(NAME test_zout_tmpfs COMMAND test_zout tmpfs)
set_tests_properties(test_zout_tmpfs PROPERTIES LABELS unit TIMEOUT 60 SKIP_RETURN_CODE 77)
