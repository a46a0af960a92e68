# Installation and manual pages; include()d from tests/CMakeLists.txt.
# Neither needs privileges.
# cmake --install into a temporary DESTDIR; the units verified and rated
# there, the programs run from there (tests/install/install_check.sh).
add_test(NAME install_check
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/install_check.sh ${CMAKE_COMMAND}
                 ${PROJECT_BINARY_DIR})
set_tests_properties(install_check PROPERTIES LABELS install TIMEOUT 120 SKIP_RETURN_CODE 77
  ENVIRONMENT "CAPD_PREFIX=${CMAKE_INSTALL_PREFIX};CAPD_SBINDIR=${CAPD_SBINDIR};CAPD_BINDIR=${CAPD_BINDIR};CAPD_CONFDIR=${CAPD_CONFDIR};CAPD_UNITDIR=${CAPD_UNITDIR};CAPD_SYSUSERSDIR=${CAPD_SYSUSERSDIR};CAPD_TMPFILESDIR=${CAPD_TMPFILESDIR};CAPD_MANDIR=${CMAKE_INSTALL_FULL_MANDIR};CAPD_DOCDIR=${CMAKE_INSTALL_FULL_DOCDIR};CAPD_BPF_OBJ_INSTALL=${CAPD_BPF_OBJ_INSTALL};CAPD_MAX_EXPOSURE=27;CAPDUMP_MAX_EXPOSURE=2")

# Every manual page is lint-clean.
file(GLOB _manpages CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/*.[158])
add_test(NAME man_lint COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/man_lint.sh ${_manpages})
set_tests_properties(man_lint PROPERTIES LABELS "unit;install" TIMEOUT 60 SKIP_RETURN_CODE 77)

# The Debian package's version is the project's (debian/rules checks it too).
add_test(NAME debian_version COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/debian_version.sh
                                     ${PROJECT_SOURCE_DIR} ${PROJECT_VERSION})
set_tests_properties(debian_version PROPERTIES LABELS "unit;install" TIMEOUT 10)

# The Debian package, installed with apt-get and run under systemd as PID 1
# in a Debian 12 container (systemd-nspawn): root; label system, which CI
# runs with the rest.  Its image is cached under tests/system of the build.
add_test(NAME system_capd_package
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/system/capd_package.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(system_capd_package PROPERTIES LABELS system TIMEOUT 1500
  SKIP_RETURN_CODE 77 RESOURCE_LOCK lab ENVIRONMENT "${CAPD_LAB_ENV}")
