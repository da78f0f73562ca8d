package com.realtimevoice.result.transcript;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.dialect.DatabaseVersion;
import org.hibernate.dialect.Dialect;
import org.hibernate.dialect.MariaDBDialect;
import org.hibernate.engine.jdbc.dialect.spi.DialectResolutionInfo;
import org.hibernate.engine.jdbc.dialect.spi.DialectResolver;

/**
 * MariaDB 10.x reached through MySQL Connector/J reports itself as "MySQL 5.5.5-10.11.x-MariaDB", and Hibernate
 * would pick a MySQL 5.5 dialect for it. This picks the MariaDB dialect of the real version instead; for every
 * other database it answers null and Hibernate's own resolution applies. Registered in result-service.yml
 * (hibernate.dialect_resolvers); public because Hibernate instantiates it by name.
 */
public class MariaDbDialectResolver implements DialectResolver {

    private static final Pattern MARIADB_VERSION = Pattern.compile("(?:^|-)(\\d+)\\.(\\d+)(?:\\.(\\d+))?-MariaDB");

    @Override
    public Dialect resolveDialect(DialectResolutionInfo info) {
        String version = info.getDatabaseVersion();
        if (!"MySQL".equals(info.getDatabaseName()) || version == null) {
            return null;
        }
        Matcher m = MARIADB_VERSION.matcher(version);
        if (!m.find()) {
            return null;
        }
        return new MariaDBDialect(DatabaseVersion.make(
                Integer.valueOf(m.group(1)),
                Integer.valueOf(m.group(2)),
                m.group(3) == null ? 0 : Integer.valueOf(m.group(3))));
    }
}
