#!/bin/bash
# First start (no system tables in /var/lib/mysql): the data directory, root's password (for localhost and '%'),
# MYSQL_DATABASE and MYSQL_USER with all rights on it, as the mysql image does. Then the server in the foreground;
# arguments go to mariadbd.
set -euo pipefail
datadir=/var/lib/mysql
quote() { local s="${1//\\/\\\\}"; printf "'%s'" "${s//\'/\'\'}"; }
if [ ! -d "$datadir/mysql" ]; then
  : "${MYSQL_ROOT_PASSWORD:?set MYSQL_ROOT_PASSWORD}"
  echo "rv-mariadb: initialising $datadir"
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal >/dev/null
  {
    echo "FLUSH PRIVILEGES;"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(quote "$MYSQL_ROOT_PASSWORD");"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $(quote "$MYSQL_ROOT_PASSWORD");"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MYSQL_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE//\`/}\` CHARACTER SET utf8mb4;"
    fi
    if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
      echo "CREATE USER $(quote "$MYSQL_USER")@'%' IDENTIFIED BY $(quote "$MYSQL_PASSWORD");"
      [ -z "${MYSQL_DATABASE:-}" ] || echo "GRANT ALL ON \`${MYSQL_DATABASE//\`/}\`.* TO $(quote "$MYSQL_USER")@'%';"
    fi
  } | mariadbd --user=mysql --datadir="$datadir" --bootstrap --skip-networking
fi
exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 "$@"
