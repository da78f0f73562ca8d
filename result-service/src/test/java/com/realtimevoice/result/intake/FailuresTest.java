package com.realtimevoice.result.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.result.transcript.SessionNotStoredException;
import java.net.SocketTimeoutException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/** What is retried and what is poison, as the drivers and Spring report it. */
class FailuresTest {

    @Test
    void theDatabaseOrBrokerAwayOrBusyIsTransient() {
        assertThat(Failures.isTransient(new CannotGetJdbcConnectionException(
                        "pool", new SQLTransientConnectionException("result-service - Connection is not available"))))
                .isTrue();
        assertThat(Failures.isTransient(new CannotCreateTransactionException("no connection")))
                .isTrue();
        assertThat(Failures.isTransient(new DataAccessResourceFailureException("down")))
                .isTrue();
        assertThat(Failures.isTransient(new TransactionSystemException(
                        "commit failed", new SQLException("Communications link failure", "08S01", 0))))
                .isTrue();
        assertThat(Failures.isTransient(
                        new CannotAcquireLockException("deadlock", new SQLException("Deadlock found", "40001", 1213))))
                .isTrue();
        assertThat(Failures.isTransient(new RuntimeException(new SQLException("Lock wait timeout", "HY000", 1205))))
                .isTrue();
        assertThat(Failures.isTransient(new QueryTimeoutException("slow"))).isTrue();
        assertThat(Failures.isTransient(new DeliveryFailedException("no ack", new TimeoutException("expired"))))
                .isTrue();
        assertThat(Failures.isTransient(new DeliveryFailedException("no ack", new SocketTimeoutException())))
                .isTrue();
    }

    @Test
    void whatARetryCannotChangeIsPoison() {
        SQLException tooLong = new SQLException("Data too long for column 'format' at row 1", "22001", 1406);
        assertThat(Failures.isTransient(new DataIntegrityViolationException(
                        "too long",
                        new BatchUpdateException(tooLong.getMessage(), "22001", 1406, new int[0], tooLong))))
                .isFalse();
        assertThat(Failures.isTransient(new DataIntegrityViolationException(
                        "fk", new SQLException("Cannot add or update a child row", "23000", 1452))))
                .isFalse();
        assertThat(Failures.isTransient(new BadSqlGrammarException(
                        "x", "SELECT", new SQLException("Table doesn't exist", "42S02", 1146))))
                .isFalse();
        assertThat(Failures.isTransient(new MalformedEventException("cannot decode")))
                .isFalse();
        assertThat(Failures.isTransient(new NoRouteException("s", "transcript.final")))
                .isFalse();
        assertThat(Failures.isTransient(new SessionNotStoredException("s"))).isFalse();
        assertThat(Failures.isTransient(new DeliveryFailedException("refused", new RecordTooLargeException("1 MB"))))
                .as("a delivery the broker refuses for its size fails the same way again")
                .isFalse();
        assertThat(Failures.isTransient(new IllegalStateException("a bug"))).isFalse();
    }
}
