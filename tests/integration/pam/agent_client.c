/* SPDX-License-Identifier: MIT */
/*
 * agent_client.c - one process of the agent tests (agent.sh), through the
 * real driver manager:
 *
 *   agent_client CONNSTR N        N times connect, SELECT current_user,
 *                                 disconnect; exit 0 when all N worked
 *   agent_client CONNSTR hold     connect, query, print "connected ... pid N", then
 *                                 wait (until killed, or stdin closes)
 *
 * Failures print the SQLSTATE and message of each diagnostic record, and
 * "connect failed after N ms".  CS_LOGIN_TIMEOUT=S sets SQL_ATTR_LOGIN_TIMEOUT
 * before each connect.  CS_BLOCK_SIGTERM=1 blocks SIGTERM and SIGINT first, as
 * an application that handles them in a thread of its own does.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sql.h>
#include <sqlext.h>

static void print_diag(SQLSMALLINT type, SQLHANDLE h)
{
	SQLCHAR state[6], msg[1024];
	SQLINTEGER native;
	SQLSMALLINT len, i;

	for (i = 1; SQL_SUCCEEDED(SQLGetDiagRec(type, h, i, state, &native, msg, sizeof(msg), &len)); i++)
		fprintf(stderr, "[%s] %s\n", state, msg);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One connect, query, (disconnect unless hold): 0 when all worked. */
static int once(SQLHENV env, const char *cs, int hold)
{
	SQLHDBC dbc;
	SQLHSTMT st;
	SQLCHAR user[128];
	SQLLEN ind;
	SQLRETURN rc;
	const char *lt = getenv("CS_LOGIN_TIMEOUT");
	long t0;
	int ok = 0;

	SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
	if (lt && *lt)
		SQLSetConnectAttr(dbc, SQL_ATTR_LOGIN_TIMEOUT,
				  (SQLPOINTER)(SQLULEN)strtoul(lt, NULL, 10), 0);
	t0 = now_ms();
	rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)cs, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc)) {
		print_diag(SQL_HANDLE_DBC, dbc);
		fprintf(stderr, "connect failed after %ld ms\n", now_ms() - t0);
		SQLFreeHandle(SQL_HANDLE_DBC, dbc);
		return 1;
	}
	SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
	if (SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)"SELECT current_user", SQL_NTS)) &&
	    SQL_SUCCEEDED(SQLFetch(st)) &&
	    SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_CHAR, user, sizeof(user), &ind)))
		ok = 1;
	else
		print_diag(SQL_HANDLE_STMT, st);
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	if (hold && ok) {
		char c;

		printf("connected as %s, pid %d\n", user, (int)getpid());
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
	}
	if (!SQL_SUCCEEDED(SQLDisconnect(dbc)))
		print_diag(SQL_HANDLE_DBC, dbc);
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	SQLHENV env;
	long i, n, failed = 0;
	int hold;

	if (argc != 3) {
		fprintf(stderr, "usage: agent_client CONNSTR N|hold\n");
		return 2;
	}
	if (getenv("CS_BLOCK_SIGTERM")) {
		sigset_t ss;

		sigemptyset(&ss);
		sigaddset(&ss, SIGTERM);
		sigaddset(&ss, SIGINT);
		sigprocmask(SIG_BLOCK, &ss, NULL);
	}
	hold = strcmp(argv[2], "hold") == 0;
	n = hold ? 1 : strtol(argv[2], NULL, 10);
	SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
	SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	for (i = 0; i < n; i++)
		failed += once(env, argv[1], hold);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	if (!hold)
		printf("%ld of %ld worked\n", n - failed, n);
	return failed ? 1 : 0;
}
