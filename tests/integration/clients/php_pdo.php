<?php
// SPDX-License-Identifier: MIT
// PHP's PDO_ODBC (php-odbc) through one connection: "odbc:<DSN name>" or
// "odbc:<DSN-less string>".  PDO has no catalog call: the catalog line
// says n/a (docs/compatibility.md).  Prints the lines
// tests/integration/clients/lib.sh checks.
if ($argc != 2) { fwrite(STDERR, "usage: php_pdo.php CONNECTION\n"); exit(1); }
$conn = $argv[1];
$value = getenv('CL_VALUE');
if ($value === false) { fwrite(STDERR, "CL_VALUE is not set\n"); exit(1); }
if (preg_match('/^DSN=([^;]+)$/', $conn, $m)) $conn = $m[1];

try {
    $db = new PDO("odbc:$conn", null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    $row = $db->query('SELECT CURRENT_USER, 40 + 2')->fetch(PDO::FETCH_NUM);
    printf("query %s %s\n", $row[0], $row[1]);

    $db->exec('CREATE TEMPORARY TABLE cl_pdo (id integer, txt varchar(64))');
    $ins = $db->prepare('INSERT INTO cl_pdo (id, txt) VALUES (?, ?)');
    $ins->execute([7, $value]);
    $sel = $db->prepare('SELECT txt FROM cl_pdo WHERE id = ?');
    $sel->execute([7]);
    printf("insert %s\n", $sel->fetchColumn());
    print("catalog n/a\n");
    $sel = null;
    $ins = null;
    $db = null;
    print("done\n");
} catch (PDOException $e) {
    fwrite(STDERR, "PDO: " . $e->getMessage() . "\n");
    exit(1);
}
