# The fleet's ClickHouse side (issue 22): docs/clickhouse/ and capship
# against a clickhouse-server 18.16 each test starts on loopback
# (tests/lab/clickhouse.sh).  include()d from tests/CMakeLists.txt.

# The schema loads, every documented query returns the rows worked out by
# hand, duplicates collapse, the Distributed tables show the local ones.
# Needs no capd, but root (the server runs as user clickhouse).
capd_lab_test(clickhouse_schema clickhouse_schema.sh)

# capship end to end (issue 22's acceptance), where it is built.
if(TARGET capship)
  # Two boxes (two capd, two capdump archives) shipped into one server:
  # the tables hold what capdump --list says, the gaps the senders made;
  # where_feed against tshark's scan of the files; capstat's intervals and
  # latency_p99_hour against its --json output.  SHIP_SEED: the windows.
  capd_lab_test(lab_capship_fleet capship_fleet.sh)
  # Faults: a 0644 credential file, a wrong password, ClickHouse stopped
  # mid-request and restarted, capship SIGKILLed mid-batch, the state's disk
  # full: each logged once with its cause; afterwards every table holds the
  # archive's rows exactly, once each after OPTIMIZE TABLE ... FINAL.
  capd_lab_test(lab_capship_faults capship_faults.sh)
  # HTTPS (the server's own port, a CA made for the test): shipped with
  # ca_file; refused, exit 1, one line, without it or to a certificate of
  # another name; http:// to the HTTPS port one line, exit 2.
  capd_lab_test(lab_capship_tls capship_tls.sh)
  set_property(TEST lab_capship_tls APPEND PROPERTY ENVIRONMENT "CAPSHIP=$<TARGET_FILE:capship>")
  set_property(TEST lab_capship_fleet lab_capship_faults APPEND PROPERTY ENVIRONMENT
               "CAPSHIP=$<TARGET_FILE:capship>")
endif()
