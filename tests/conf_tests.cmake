# capd configuration tests; include()d from tests/CMakeLists.txt.
capd_unit_test(test_conf SOURCES unit/test_conf.c LIBS capdconf PkgConfig::LIBCONFIG)
# The example config is checked against the key table.
target_compile_definitions(test_conf PRIVATE
  CAPD_CONF_EXAMPLE="${PROJECT_SOURCE_DIR}/conf/capd.conf")

# The example config seeds the fuzzer.
capd_fuzz_target(fuzz_conf SOURCES ${PROJECT_SOURCE_DIR}/capd/capd_conf.c
                 INCLUDES ${PROJECT_SOURCE_DIR}/capd LIBS caprings PkgConfig::LIBCONFIG
                 DICT fuzz_conf.dict SEEDS ${PROJECT_SOURCE_DIR}/conf)
