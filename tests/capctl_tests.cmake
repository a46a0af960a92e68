# capctl tests; include()d from tests/CMakeLists.txt.
if(NOT TARGET capctl)
  return()
endif()

# The doctor's verdicts on made-up boxes, its CPU lists and IRQ names.
capd_unit_test(test_doctor SOURCES unit/test_doctor.c LIBS capdoctor)

# capctl doctor on a real lab box (root): hugepages, ring permissions and
# XDP mode, each failing and passing; as an ordinary user, unknowns.
if(TARGET capd)
  capd_lab_test(lab_capctl_doctor capctl_doctor.sh $<TARGET_FILE:capctl> $<TARGET_FILE:capd>)
endif()
