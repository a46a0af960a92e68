# capd's kernel side (bpf/) and socket layer: the XDP object and the static
# library capdxdp (xdp_prog.c, xsk.c).  Included from capd/CMakeLists.txt.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET libbpf)
pkg_check_modules(LIBXDP REQUIRED IMPORTED_TARGET libxdp)
find_program(BPF_CLANG NAMES clang clang-16 clang-15 clang-14 REQUIRED)

# add_bpf_object(name src): compile src with clang -target bpf into
# ${CMAKE_CURRENT_BINARY_DIR}/name.bpf.o; target `name_bpf` builds it and
# carries the path in its BPF_OBJECT property.  -target bpf does not search
# the multiarch include dir, where asm/types.h lives on Debian.
function(add_bpf_object name src)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
  get_filename_component(src_abs ${src} ABSOLUTE)
  get_filename_component(src_dir ${src_abs} DIRECTORY)
  set(flags -target bpf -O2 -g -Wall -Wextra -Werror -I${src_dir})
  if(CMAKE_LIBRARY_ARCHITECTURE)
    list(APPEND flags -idirafter /usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
  endif()
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${BPF_CLANG} ${flags} -MD -MF ${out}.d -c ${src_abs} -o ${out}
    DEPENDS ${src_abs}
    DEPFILE ${out}.d
    COMMENT "BPF ${name}.bpf.o"
    VERBATIM)
  add_custom_target(${name}_bpf ALL DEPENDS ${out})
  set_target_properties(${name}_bpf PROPERTIES BPF_OBJECT ${out})
endfunction()

add_bpf_object(capd_xdp ${CMAKE_CURRENT_SOURCE_DIR}/bpf/capd_xdp.bpf.c)
get_target_property(CAPD_BPF_OBJ_BUILD capd_xdp_bpf BPF_OBJECT)

# The object is found at run time (xdp_prog_obj_path()): $CAPD_BPF_OBJ;
# else, for a program started from this build tree (the tests), the build's
# object; else the install path, PREFIX/${CAPD_BPF_DIR} (CAPD_BPF_DIR and
# the generated capd_paths_build.h: top CMakeLists.txt, lib/capd_paths.h).
install(FILES ${CAPD_BPF_OBJ_BUILD} DESTINATION ${CAPD_BPF_DIR})
# Global, for tests/install_tests.cmake.
set(CAPD_BPF_OBJ_INSTALL "${CMAKE_INSTALL_PREFIX}/${CAPD_BPF_DIR}/capd_xdp.bpf.o" CACHE INTERNAL
    "where the installed capd loads its XDP object from")

add_library(capdxdp STATIC xdp_prog.c xsk.c)
target_include_directories(capdxdp PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_definitions(capdxdp PRIVATE
  CAPD_BUILD_DIR="${CMAKE_BINARY_DIR}"
  CAPD_BPF_OBJ_BUILD="${CAPD_BPF_OBJ_BUILD}")
target_link_libraries(capdxdp PUBLIC caprings PkgConfig::LIBBPF PkgConfig::LIBXDP)
add_dependencies(capdxdp capd_xdp_bpf)
