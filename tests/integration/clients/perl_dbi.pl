#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# Perl DBI with DBD::ODBC (libdbd-odbc-perl) through one connection: a DSN
# name (DSN=<name>, connected as dbi:ODBC:<name>) or a DSN-less string.
# Prints the lines tests/integration/clients/lib.sh checks (query, insert,
# catalog).
use strict;
use warnings;
use DBI;

my $conn = shift @ARGV or die "usage: perl_dbi.pl CONNECTION\n";
my $value = $ENV{CL_VALUE} // die "CL_VALUE is not set\n";
# A DSN alone goes the way Perl programs name one; anything else is a
# connection string for SQLDriverConnect.
my $dsn = $conn =~ /^DSN=([^;]+)$/ ? "dbi:ODBC:$1" : "dbi:ODBC:$conn";

my $dbh = DBI->connect($dsn, '', '', { RaiseError => 1, PrintError => 0, AutoCommit => 1 })
  or die "connect: $DBI::errstr\n";
printf "unicode %s\n", $dbh->{odbc_has_unicode} ? 'yes' : 'no';

my ($user, $n) = $dbh->selectrow_array('SELECT CURRENT_USER, 40 + 2');
print "query $user $n\n";

$dbh->do('CREATE TEMPORARY TABLE cl_perl (id integer, txt varchar(64))');
my $ins = $dbh->prepare('INSERT INTO cl_perl (id, txt) VALUES (?, ?)');
$ins->execute(7, $value);
my ($back) = $dbh->selectrow_array('SELECT txt FROM cl_perl WHERE id = ?', undef, 7);
print "insert $back\n";

my $sth = $dbh->table_info(undef, undef, 'cs_fixture', 'TABLE');
my $found = '';
while (my $row = $sth->fetchrow_hashref('NAME_lc')) {
  $found = $row->{table_name} if lc($row->{table_name}) eq 'cs_fixture';
}
print "catalog $found\n";

$dbh->disconnect;
print "done\n";
