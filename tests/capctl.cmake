# capctl: the doctor and status.  include()d from tests/CMakeLists.txt.

# The doctor's verdicts on made-up boxes, its CPU lists and IRQ names.
capd_unit_test(test_doctor SOURCES unit/test_doctor.c LIBS capdoctor)

# What the doctor tallies of the wire timestamps in a ring built in
# memory: by interface name, the newest records only, hostile statistics.
capd_unit_test(test_doctor_wire SOURCES unit/test_doctor_wire.c LIBS capdoctor)

# What status says of a capture thread from its ring's statistics: its
# queues, packets and busy share, hostile statistics included.
capd_unit_test(test_status_thread SOURCES unit/test_status_thread.c LIBS capdoctor)

# capctl doctor on a real lab box (root): hugepages, ring permissions and
# XDP mode, each failing and passing; as an ordinary user, unknowns.
capd_lab_test(lab_capctl_doctor capctl_doctor.sh)

# capctl status against the truth of a lab capture: counters, the ring's
# window, readers with a known lag and losses, capd's metrics, a killed capd.
capd_lab_test(lab_capctl_status capctl_status.sh)

# What a member of the ring's group can plant in the readers directory
# (escape sequences, other users' pids, another reader's names, 300 files)
# against capctl status, text and JSON, as root and as the member.
capd_lab_test(lab_capctl_hostile capctl_hostile.sh)
