# install.cmake - where `cmake --install` puts capd, laid out as a Debian
# admin expects it with -DCMAKE_INSTALL_PREFIX=/usr (the default prefix,
# /usr/local, gives the same tree under /usr/local, /usr/local/etc...):
#
#   /usr/sbin/capd                      /usr/bin/{capdump,capstat,capctl}
#   /usr/lib/capd/capd_xdp.bpf.o        (capd/xdp.cmake; capd looks there)
#   /usr/lib/systemd/system/{capd.service,capdump@.service,ptp4l@.service.d/capd.conf}
#   /usr/lib/sysusers.d/capd.conf       /usr/lib/tmpfiles.d/capd.conf
#   /etc/capd/capd.conf, /etc/capd/capdump.env, /etc/capd/capdump/
#                                       (never overwritten: they are the admin's)
#   /usr/share/man/man{1,5,8}/...       /usr/share/doc/capd/ (+ examples/)
# Included from the top CMakeLists.txt after the targets exist.
include(GNUInstallDirs)

# systemd's directories below the prefix (/usr/lib, not the multiarch LIBDIR).
set(CAPD_UNITDIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" CACHE PATH "systemd unit files")
set(CAPD_SYSUSERSDIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d" CACHE PATH "sysusers.d snippets")
set(CAPD_TMPFILESDIR "${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d" CACHE PATH "tmpfiles.d snippets")
set(CAPD_CONFDIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/capd")
set(CAPD_SBINDIR "${CMAKE_INSTALL_FULL_SBINDIR}")
set(CAPD_BINDIR "${CMAKE_INSTALL_FULL_BINDIR}")

install(TARGETS capd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS capdump capstat capctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Units with this prefix's paths.
foreach(unit capd.service capdump@.service)
  configure_file(${PROJECT_SOURCE_DIR}/systemd/${unit}.in ${PROJECT_BINARY_DIR}/systemd/${unit}
                 @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/systemd/${unit} DESTINATION ${CAPD_UNITDIR})
endforeach()
# ptp4l's socket for group capture (docs/clock.md).
install(FILES ${PROJECT_SOURCE_DIR}/systemd/ptp4l@.service.d/capd.conf
        DESTINATION ${CAPD_UNITDIR}/ptp4l@.service.d)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/capd.sysusers.conf DESTINATION ${CAPD_SYSUSERSDIR}
        RENAME capd.conf)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/capd.tmpfiles.conf DESTINATION ${CAPD_TMPFILESDIR}
        RENAME capd.conf)

# The examples: always under doc/, in /etc only where the admin has none
# yet, so that an upgrade keeps the configuration (like a Debian conffile).
set(CAPD_EXAMPLES ${PROJECT_SOURCE_DIR}/conf/capd.conf ${PROJECT_SOURCE_DIR}/conf/capdump.env)
install(FILES ${CAPD_EXAMPLES} DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(DIRECTORY DESTINATION ${CAPD_CONFDIR}/capdump)
foreach(example ${CAPD_EXAMPLES})
  get_filename_component(name ${example} NAME)
  install(CODE "
    set(dest \"\$ENV{DESTDIR}${CAPD_CONFDIR}/${name}\")
    if(EXISTS \"\${dest}\")
      message(STATUS \"Keeping: \${dest}\")
    else()
      file(INSTALL \"${example}\" DESTINATION \"${CAPD_CONFDIR}\"
           FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
    endif()")
endforeach()

# Manual pages by section (docs/man/NAME.SECTION), and the documents.
file(GLOB CAPD_MANPAGES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/*.[158])
foreach(page ${CAPD_MANPAGES})
  string(REGEX REPLACE ".*\\.([158])$" "\\1" section ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
file(GLOB CAPD_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${CAPD_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
