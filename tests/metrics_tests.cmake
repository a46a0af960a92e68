# capd's Prometheus textfile; include()d from tests/CMakeLists.txt.
if(TARGET capdmetrics)
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
endif()
