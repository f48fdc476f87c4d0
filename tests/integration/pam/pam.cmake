# SPDX-License-Identifier: MIT
# PAM mode end to end (tests/integration/pam): unixODBC -> credshim ->
# psqlODBC -> PostgreSQL, with a mock PAM (tests/mockpam) that each test
# starts for itself (lib.sh).  Needs the environment tests/run.sh sets up.
#
#   integration.pam.<scenario>  pam_test.c: basic, config, faults, sharing,
#                               threads, timeout, exit, secrets, expiry,
#                               connstr, passwords (every password style
#                               of the mock through the W and A drivers),
#                               tokenfile (what PamTokenFile may be),
#                               refused (the database refuses a checkout)
#   integration.pam.isql        isql.sh (isql / iusql)
#   integration.pam.pyodbc      pyodbc_pam.sh -> pyodbc_pam.py
#   integration.pam.agent       agent.sh full (credshim-agent, PamLinger)
#   integration.pam.agent_basic agent.sh basic (its valgrind-sized part)
#   integration.pam.agent_systemd, _faults, _clients  agent.sh's other modes
#
# Every mock sets the cs_app* / cs_pam_t* passwords at its start, so the
# PAM tests hold one RESOURCE_LOCK and never run at the same time.
add_executable(pam_test ${CMAKE_CURRENT_LIST_DIR}/pam_test.c)
target_link_libraries(pam_test PRIVATE odbc PkgConfig::CURL PkgConfig::CJSON Threads::Threads)

set(CS_PAM_SCENARIOS basic config faults sharing threads timeout exit secrets expiry connstr
    passwords tokenfile refused)
set(CS_PAM_TESTS "")
foreach(s IN LISTS CS_PAM_SCENARIOS)
  add_test(NAME integration.pam.${s}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_c.sh $<TARGET_FILE:pam_test> ${s})
  list(APPEND CS_PAM_TESTS integration.pam.${s})
endforeach()
# hostile: a PAM that checks out and then breaks off its answer (exactly
# one checkout per failed connect), request ids that are no path segment,
# newlines in its account and message, quotes of the API token.
add_test(NAME integration.pam.hostile
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_c.sh $<TARGET_FILE:pam_test> hostile)
list(APPEND CS_PAM_TESTS integration.pam.hostile)
# credshim-agent (agent.sh): many processes, crashes, linger, autostart;
# agent_basic is the short cross-section CI also runs under valgrind.
add_executable(agent_client ${CMAKE_CURRENT_LIST_DIR}/agent_client.c)
target_link_libraries(agent_client PRIVATE odbc)
add_test(NAME integration.pam.agent
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/agent.sh $<TARGET_FILE:agent_client>
                 $<TARGET_FILE:credshim-agent> full)
add_test(NAME integration.pam.agent_basic
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/agent.sh $<TARGET_FILE:agent_client>
                 $<TARGET_FILE:credshim-agent> basic)
list(APPEND CS_PAM_TESTS integration.pam.agent integration.pam.agent_basic)
# The checkout lifecycle (pam_test.c lifecycle): renewal across two
# expiries, a check-in retried until the PAM takes it, a forked child's
# disconnect; with a 5-second minute (run_c.sh).  lifecycle_agent: the
# renewal and the retry through credshim-agent (PamAgent=1).
add_test(NAME integration.pam.lifecycle
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_c.sh $<TARGET_FILE:pam_test> lifecycle)
add_test(NAME integration.pam.lifecycle_agent
         COMMAND env CS_AGENT_PROG=$<TARGET_FILE:credshim-agent>
                 bash ${CMAKE_CURRENT_LIST_DIR}/run_c.sh $<TARGET_FILE:pam_test> lifecycle_agent)
list(APPEND CS_PAM_TESTS integration.pam.lifecycle integration.pam.lifecycle_agent)
# What renewal relies on: PostgreSQL and MariaDB keep an open session
# when its password changes (session_keep.sh).
add_test(NAME integration.pam.session_keep COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/session_keep.sh)
list(APPEND CS_PAM_TESTS integration.pam.session_keep)
# agent.sh's other modes: socket activation and the units, timeouts and
# faults between driver and agent, isql and pyodbc through one DSN.
foreach(m systemd faults clients)
  add_test(NAME integration.pam.agent_${m}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/agent.sh $<TARGET_FILE:agent_client>
                   $<TARGET_FILE:credshim-agent> ${m})
  list(APPEND CS_PAM_TESTS integration.pam.agent_${m})
endforeach()
add_test(NAME integration.pam.isql COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/isql.sh)
add_test(NAME integration.pam.pyodbc COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/pyodbc_pam.sh)
list(APPEND CS_PAM_TESTS integration.pam.isql integration.pam.pyodbc)

set_tests_properties(${CS_PAM_TESTS} PROPERTIES
  LABELS "integration;pam"
  TIMEOUT 180
  RESOURCE_LOCK cs_pam_roles
  DEPENDS integration.check_exports)
set_tests_properties(integration.pam.agent PROPERTIES TIMEOUT 600)
if(CS_VALGRIND)
  set_tests_properties(${CS_PAM_TESTS} PROPERTIES ENVIRONMENT CS_VALGRIND=1 TIMEOUT 900)
elseif(CS_ASAN OR CS_TSAN)
  # A sanitizer build runs about twice as slow: pam_test's bounds double
  # (CS_SLOW), and so does ctest's.
  set_tests_properties(${CS_PAM_TESTS} PROPERTIES ENVIRONMENT CS_SLOW=2 TIMEOUT 360)
  set_tests_properties(integration.pam.agent PROPERTIES TIMEOUT 900)
endif()
