<?php
// SPDX-License-Identifier: MIT
// PHP's odbc_* functions (php-odbc) through one connection: a DSN name
// (DSN=<name>, given to odbc_connect as the bare name: SQLConnect) or a
// DSN-less string (SQLDriverConnect).  Prints the lines
// tests/integration/clients/lib.sh checks.
if ($argc != 2) { fwrite(STDERR, "usage: php_odbc.php CONNECTION\n"); exit(1); }
$conn = $argv[1];
$value = getenv('CL_VALUE');
if ($value === false) { fwrite(STDERR, "CL_VALUE is not set\n"); exit(1); }
if (preg_match('/^DSN=([^;]+)$/', $conn, $m)) $conn = $m[1];

function fail($what, $c) {
    fwrite(STDERR, "$what: " . odbc_error($c) . " " . odbc_errormsg($c) . "\n");
    exit(1);
}

$c = odbc_connect($conn, '', '');
if (!$c) { fwrite(STDERR, "connect: " . odbc_error() . " " . odbc_errormsg() . "\n"); exit(1); }

$r = odbc_exec($c, 'SELECT CURRENT_USER, 40 + 2') or fail('query', $c);
odbc_fetch_row($r) or fail('fetch', $c);
printf("query %s %s\n", odbc_result($r, 1), odbc_result($r, 2));
odbc_free_result($r);

odbc_exec($c, 'CREATE TEMPORARY TABLE cl_php (id integer, txt varchar(64))') or fail('create', $c);
$ins = odbc_prepare($c, 'INSERT INTO cl_php (id, txt) VALUES (?, ?)') or fail('prepare', $c);
odbc_execute($ins, [7, $value]) or fail('insert', $c);
$sel = odbc_prepare($c, 'SELECT txt FROM cl_php WHERE id = ?') or fail('prepare', $c);
odbc_execute($sel, [7]) or fail('select', $c);
odbc_fetch_row($sel) or fail('fetch', $c);
printf("insert %s\n", odbc_result($sel, 1));

$t = odbc_tables($c, null, null, 'cs_fixture', 'TABLE') or fail('tables', $c);
$found = '';
while (odbc_fetch_row($t)) {
    $name = odbc_result($t, 'TABLE_NAME');
    if (strtolower($name) === 'cs_fixture') $found = $name;
}
printf("catalog %s\n", $found);
odbc_close($c);
print("done\n");
