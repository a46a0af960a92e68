# capd: its configuration, XDP program and sockets, clock status, metrics,
# and capd end to end.  include()d from tests/CMakeLists.txt.

# The configuration table and parser (lib/capd_conf.c); the example config
# is checked against the key table and seeds the fuzzer.
capd_unit_test(test_conf SOURCES unit/test_conf.c LIBS capdconf PkgConfig::LIBCONFIG)
target_compile_definitions(test_conf PRIVATE
  CAPD_CONF_EXAMPLE="${PROJECT_SOURCE_DIR}/conf/capd.conf")
capd_fuzz_target(fuzz_conf SOURCES ${PROJECT_SOURCE_DIR}/lib/capd_conf.c
                 INCLUDES ${PROJECT_SOURCE_DIR}/lib LIBS caprings capseq PkgConfig::LIBCONFIG
                 DICT fuzz_conf.dict SEEDS ${PROJECT_SOURCE_DIR}/conf)

# The XDP program's parser and feed matching, frame by frame, through
# BPF_PROG_TEST_RUN: no interface, but root (loading BPF).  Through a
# script, for the kernel log scanned after it.
capd_lab_test(lab_xdp_match xdp_match.sh)
set_tests_properties(lab_xdp_match PROPERTIES TIMEOUT 60)
# veth + netns: feeds in, everything else out, native and generic mode.
capd_lab_test(lab_xdp_select xdp_select.sh)
# Feeds through the Arista timestamp header (64/48-bit, before or after a
# tag), bypass and shared, in the ring as sent; status and doctor name it.
capd_lab_test(lab_xdp_arista xdp_arista.sh)

# The shared path's selection (capd/pktsel.c): the feeds' pcap expression,
# compiled by libpcap, run by libpcap's BPF interpreter on frames built in
# the test; each frame's feed by the XDP program's longest-prefix rule.
find_package(PkgConfig REQUIRED)
pkg_check_modules(TEST_LIBPCAP REQUIRED IMPORTED_TARGET libpcap)
capd_unit_test(test_pktsel SOURCES unit/test_pktsel.c ${PROJECT_SOURCE_DIR}/capd/pktsel.c
               LIBS capdxdp PkgConfig::TEST_LIBPCAP)

# Clock status: PTP management messages, verdict, leap seconds, UTC
# conversion, the pcapng clock option; against a real ptp4l in the lab.
capd_unit_test(test_clock SOURCES unit/test_clock.c LIBS capdclock capwrite)
capd_fuzz_target(fuzz_ptp_mgmt SOURCES ${PROJECT_SOURCE_DIR}/capd/ptp_mgmt.c
                 INCLUDES ${PROJECT_SOURCE_DIR}/capd DICT fuzz_ptp_mgmt.dict
                 SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/ptp_mgmt_corpus ARGS -max_len=512)
capd_lab_test(lab_clock_ptp clock_ptp.sh)

# capd's Prometheus textfile.
capd_unit_test(test_metrics SOURCES unit/test_metrics.c LIBS capdmetrics)

# The file as Prometheus's own Python client parses it, against the list
# in docs/man/capd.8.  Debian's python3-prometheus-client goes to the
# system python3, which need not be the first python3 in PATH (pyenv,
# venv): use the first that has the module; the test skips (77) if none.
set(_metrics_py "")
find_program(_metrics_py_path python3 NO_CACHE)
foreach(py IN ITEMS ${_metrics_py_path} /usr/bin/python3)
  if(NOT _metrics_py AND EXISTS "${py}")
    execute_process(COMMAND "${py}" -c "import prometheus_client.parser"
                    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(rc EQUAL 0)
      set(_metrics_py "${py}")
    endif()
  endif()
endforeach()
if(NOT _metrics_py)
  set(_metrics_py "${_metrics_py_path}")
endif()
if(_metrics_py)
  add_test(NAME metrics_parse
           COMMAND "${_metrics_py}" ${CMAKE_CURRENT_SOURCE_DIR}/metrics_parse.py
                   $<TARGET_FILE:test_metrics> ${PROJECT_SOURCE_DIR}/docs/man/capd.8)
else()
  add_test(NAME metrics_parse COMMAND sh -c "echo 'SKIP: no python3' >&2; exit 77")
endif()
set_tests_properties(metrics_parse PROPERTIES LABELS unit TIMEOUT 60 SKIP_RETURN_CODE 77)

# capd end to end (root): selection, integrity, no system calls, teardown;
# bad configurations; restarts.
capd_lab_test(lab_capd_capture capd_capture.sh)
# The shared path: local sockets and capd both get every packet; socket drops counted.
capd_lab_test(lab_capd_shared capd_shared.sh)
# path "auto": shared when capture.exclusive is false, bypass when true, and
# shared again, with the reason, when another XDP program holds the hook.
capd_lab_test(lab_capd_auto capd_auto.sh)
capd_lab_test(lab_capd_badconf capd_badconf.sh)
# No privileges: the shipped conf/capd.conf names no interface, so that
# capd.service is skipped (ExecCondition=capd --configured exits 1) and capd
# -n says what to do; with an interface named it runs; a file that does not
# load is left to -n, which fails the unit with the parser's line.
add_test(NAME capd_cli COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lab/capd_cli.sh
                               ${PROJECT_SOURCE_DIR}/conf/capd.conf)
set_tests_properties(capd_cli PROPERTIES LABELS unit TIMEOUT 60 SKIP_RETURN_CODE 77
                     ENVIRONMENT "${CAPD_LAB_ENV}")
# capd -n refuses what a start refuses: run.dir, a held XDP hook, the XDP object.
capd_lab_test(lab_capd_check capd_check.sh)
capd_lab_test(lab_capd_restart capd_restart.sh)
# What a crash costs: capd killed under traffic, at random and in the middle
# of a batch, restarted; every datagram is in the ring, given to the kernel,
# counted lost (the gap in seq) or, said so, in the killed capd's socket.
capd_lab_test(lab_capd_crash capd_crash.sh)
set_tests_properties(lab_capd_crash PROPERTIES TIMEOUT 300)
# Two capture threads on a veth with two queues (issue 19's acceptance): counts
# per queue, thread and ring against what was sent; capdump's merge of the
# set, each datagram once and in time order; SIGKILL and restart, each ring
# counting its crash; back to one thread, NAME.1 removed.
capd_lab_test(lab_capd_threads capd_threads.sh)
# A feed's packets on a queue capd does not capture count as dropped before
# the ring (no_socket), in capctl status, the metrics and capdump's ISB.
capd_lab_test(lab_capd_nosocket capd_nosocket.sh)
# No reader can keep capd from starting: a member of the ring's group holds
# flock on the ring and draws the hugepage pool while capd restarts.
capd_lab_test(lab_capd_lock capd_lock.sh)
# Root with run.user = "" keeps uid 0: capd says so.
capd_lab_test(lab_capd_runuser capd_runuser.sh)
# The fallbacks for older kernels (no timestamp kfunc, no device-bound
# programs, no multi-buffer sockets), each forced with CAPD_XDP_FORCE.
capd_lab_test(lab_capd_fallback capd_fallback.sh)
# capd as capd.service runs it, without systemd (root): an ordinary user
# with exactly the unit's capabilities captures, drops, stops cleanly, and
# makes no system call the unit's filter refuses.
capd_lab_test(lab_capd_unit capd_unit.sh ${PROJECT_BINARY_DIR}/systemd/capd.service)

# capd on Debian 12's own kernel (6.1), booted under QEMU from its package
# with a virtio-net NIC, fed from a tap (root; tests/vm/capd_vm.sh).  Label
# vm, not lab: minutes, not seconds.  The image is cached in the build tree.
add_test(NAME vm_capd_debian12 COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/vm/capd_vm.sh)
set_tests_properties(vm_capd_debian12 PROPERTIES LABELS vm TIMEOUT 600 SKIP_RETURN_CODE 77
                     RESOURCE_LOCK lab
                     ENVIRONMENT "${CAPD_LAB_ENV};CAPD_VM_DIR=${CMAKE_CURRENT_BINARY_DIR}/vm")
# issue 20's latency between two capture points (tests/lab/capstat_latency.sh)
# in the same VM, on the kernel's tc netem, which it must use
# (LATENCY_REQUIRE_NETEM=1): the lab's kernel may lack sch_netem.  Under
# TCG netem's timer fires late (p50 450-520 us, p10..p90 2.4-5 ms instead
# of 400 us and 64 us), so it fails on the 5 % criterion there; the counts
# (A only = netem's drops) hold.  Label manual: scripts/test.sh leaves it
# out; run it by hand (ctest -L manual) where the VM runs under KVM.
add_test(NAME vm_capstat_latency_netem COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/vm/capd_vm.sh latency)
set_tests_properties(vm_capstat_latency_netem PROPERTIES LABELS "vm;manual" TIMEOUT 900
                     SKIP_RETURN_CODE 77
                     RESOURCE_LOCK lab
                     ENVIRONMENT "${CAPD_LAB_ENV};CAPD_VM_DIR=${CMAKE_CURRENT_BINARY_DIR}/vm")

# Local consumers: the /proc/net parsers on real and hostile text, and the
# matching of sockets and memberships to feeds (no privileges).
capd_unit_test(test_consumers SOURCES unit/test_consumers.c LIBS capdlocal)
capd_fuzz_target(fuzz_proc_net SOURCES ${PROJECT_SOURCE_DIR}/lib/proc_net.c
                 INCLUDES ${PROJECT_SOURCE_DIR}/lib DICT fuzz_proc_net.dict
                 SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/proc_net_corpus)
# Local consumers: a bypass capd refuses to start beside a joined receiver
# (exclusive overrides), one that joins later shows in status, metrics and
# doctor within 5 s; receivers on another port, group or interface do not.
capd_lab_test(lab_capd_consumers capd_consumers.sh)
set_tests_properties(lab_capd_consumers PROPERTIES TIMEOUT 120)
