# install.cmake - where `cmake --install` puts capd, laid out as a Debian
# admin expects it with -DCMAKE_INSTALL_PREFIX=/usr (the default prefix,
# /usr/local, gives the same tree under /usr/local, /usr/local/etc...):
#
#   /usr/sbin/capd                      /usr/bin/{capdump,capstat,capctl,capreplay,capship}
#   /usr/lib/capd/capd_xdp.bpf.o        (capd/xdp.cmake; capd looks there)
#   /usr/lib/systemd/system/{capd.service,capdump@.service,capship.service,
#                            ptp4l@.service.d/capd.conf}
#   /usr/lib/sysusers.d/capd.conf       /usr/lib/tmpfiles.d/capd.conf
#   /etc/capd/capd.conf, /etc/capd/capdump/default.env (the recorder
#                                       capdump@default, of ring "default")
#                                       (never overwritten: they are the admin's)
#   /usr/share/man/man{1,5,8}/...       /usr/share/doc/capd/ (+ examples/)
# Included from the top CMakeLists.txt after the targets exist.
include(GNUInstallDirs)

# systemd's directories below the prefix (/usr/lib, not the multiarch LIBDIR).
set(CAPD_UNITDIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" CACHE PATH "systemd unit files")
set(CAPD_SYSUSERSDIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d" CACHE PATH "sysusers.d snippets")
set(CAPD_TMPFILESDIR "${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d" CACHE PATH "tmpfiles.d snippets")
set(CAPD_CONFDIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/capd")

# capd_install_dest(VAR DIR): DIR relative to the prefix when it lies
# under it, so that `cmake --install --prefix P` puts everything under P
# (the programs look there: lib/capd_paths.h); absolute otherwise.
function(capd_install_dest var dir)
  string(LENGTH "${CMAKE_INSTALL_PREFIX}/" plen)
  string(SUBSTRING "${dir}/" 0 ${plen} head)
  if(head STREQUAL "${CMAKE_INSTALL_PREFIX}/")
    string(SUBSTRING "${dir}" ${plen} -1 rel)
    set(${var} "${rel}" PARENT_SCOPE)
  else()
    set(${var} "${dir}" PARENT_SCOPE)
  endif()
endfunction()
capd_install_dest(CAPD_UNIT_DEST "${CAPD_UNITDIR}")
capd_install_dest(CAPD_SYSUSERS_DEST "${CAPD_SYSUSERSDIR}")
capd_install_dest(CAPD_TMPFILES_DEST "${CAPD_TMPFILESDIR}")
set(CAPD_SBINDIR "${CMAKE_INSTALL_FULL_SBINDIR}")
set(CAPD_BINDIR "${CMAKE_INSTALL_FULL_BINDIR}")

install(TARGETS capd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
# capreplay without file capabilities: frame mode (CAP_NET_RAW) is for
# root, or for the admin who grants it (capreplay(1)).
install(TARGETS capdump capstat capctl capreplay RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# capship: no capabilities either; it reads archives through group capture.
install(TARGETS capship RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Units with this prefix's paths.
foreach(unit capd.service capdump@.service capship.service)
  configure_file(${PROJECT_SOURCE_DIR}/systemd/${unit}.in ${PROJECT_BINARY_DIR}/systemd/${unit}
                 @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/systemd/${unit} DESTINATION ${CAPD_UNIT_DEST})
endforeach()
# ptp4l's socket for group capture (docs/clock.md).
install(FILES ${PROJECT_SOURCE_DIR}/systemd/ptp4l@.service.d/capd.conf
        DESTINATION ${CAPD_UNIT_DEST}/ptp4l@.service.d)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/capd.sysusers.conf DESTINATION ${CAPD_SYSUSERS_DEST}
        RENAME capd.conf)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/capd.tmpfiles.conf DESTINATION ${CAPD_TMPFILES_DEST}
        RENAME capd.conf)

# The examples: always under doc/, in /etc only where the admin has none
# yet, so that an upgrade keeps the configuration (like a Debian conffile;
# a package build installs into an empty DESTDIR, so dpkg gets them all).
# capdump.env becomes the instance "default" (capdump/default.env), so
# that `systemctl enable --now capdump@default` records ring "default".
set(CAPD_EXAMPLES ${PROJECT_SOURCE_DIR}/conf/capd.conf ${PROJECT_SOURCE_DIR}/conf/capdump.env
                  ${PROJECT_SOURCE_DIR}/conf/capship.conf)
install(FILES ${CAPD_EXAMPLES} DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
# The configuration directory: the configured one (/etc/capd for the
# prefix /usr), or PREFIX/etc/capd when `cmake --install --prefix` names
# another prefix, where the programs then look (lib/capd_paths.h).
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"${CMAKE_INSTALL_PREFIX}\")
    set(capd_confdir \"${CAPD_CONFDIR}\")
  else()
    set(capd_confdir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SYSCONFDIR}/capd\")
  endif()")
foreach(pair "capd.conf:capd.conf" "capdump.env:capdump/default.env" "capship.conf:capship.conf")
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 src)
  list(GET pair 1 rel)
  get_filename_component(dir "/${rel}" DIRECTORY) # "/" or "/capdump"
  string(REGEX REPLACE "/$" "" dir "${dir}")
  get_filename_component(name "${rel}" NAME)
  install(CODE "
    set(dest \"\$ENV{DESTDIR}\${capd_confdir}/${rel}\")
    if(EXISTS \"\${dest}\")
      message(STATUS \"Keeping: \${dest}\")
    else()
      file(INSTALL \"${PROJECT_SOURCE_DIR}/conf/${src}\" DESTINATION \"\${capd_confdir}${dir}\"
           RENAME ${name} FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
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
