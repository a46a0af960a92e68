# The fleet's ClickHouse side (issue 22): docs/clickhouse/ and capship
# against a clickhouse-server 18.16 each test starts on loopback
# (tests/lab/clickhouse.sh).  include()d from tests/CMakeLists.txt.

# The schema loads, every documented query returns the rows worked out by
# hand, duplicates collapse, the Distributed tables show the local ones.
# Needs no capd, but root (the server runs as user clickhouse).
capd_lab_test(clickhouse_schema clickhouse_schema.sh)
