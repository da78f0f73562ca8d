package com.realtimevoice.result.intake;

import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.result.transcript.SessionNotStoredException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RetriableException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Which failures can pass on a retry. Only those are retried (with back-off, holding the partition); anything
 * else is poison: retrying it gives the same answer, so its record is dead-lettered at once and its session
 * failed, and the records of the other sessions go on (issue 18).
 * <p>
 * Transient: the database or the broker away or busy (connection lost, pool exhausted, timeouts, deadlocks,
 * lock waits; SQL states 08, 40, HYT00), a delivery not acked in time. Everything else is not: a value the
 * database refuses (data too long, a constraint: SQL state 22, 23), any other SQL state or data access error,
 * an event that cannot be decoded or makes no sense (no route: its start was never stored), a record Kafka
 * refuses (too large, not serializable).
 */
final class Failures {

    private Failures() {}

    static boolean isTransient(Throwable failure) {
        // From the root cause up: the deepest cause that says something decides (a delivery that failed because
        // the record is too large is not transient, one that timed out is).
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            Boolean verdict = verdict(chain.get(i));
            if (verdict != null) {
                return verdict;
            }
        }
        return false;
    }

    /**
     * The database cannot be reached at all (no connection: refused, lost, the pool timed out waiting for one), as
     * opposed to one statement failing (a lock wait, a deadlock): every write would wait for a connection alike.
     */
    static boolean isDatabaseAway(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException
                    || t instanceof CannotCreateTransactionException
                    || t instanceof CannotGetJdbcConnectionException
                    || t instanceof java.net.ConnectException
                    || (t instanceof SQLException sql
                            && sql.getSQLState() != null
                            && sql.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }

    /** true transient, false not, null: this one does not say. */
    private static Boolean verdict(Throwable t) {
        if (t instanceof MalformedEventException
                || t instanceof NoRouteException
                || t instanceof SessionNotStoredException
                || t instanceof PoisonedSessionException) {
            return false;
        }
        if (t instanceof SQLTransientException
                || t instanceof SQLRecoverableException
                || t instanceof SQLNonTransientConnectionException) {
            return true;
        }
        if (t instanceof SQLException sql) {
            return transientState(sql);
        }
        if (t instanceof RetriableException
                || t instanceof TimeoutException
                || t instanceof InterruptedException
                || t instanceof IOException) {
            return true;
        }
        if (t instanceof ApiException) { // Kafka's other errors: record too large, invalid topic, authorization...
            return false;
        }
        if (t instanceof TransientDataAccessException
                || t instanceof RecoverableDataAccessException
                || t instanceof DataAccessResourceFailureException
                || t instanceof CannotCreateTransactionException
                || t instanceof DeliveryFailedException) {
            return true;
        }
        return null;
    }

    /**
     * 08: connection; 40: rolled back (deadlock); HYT00/HYT01: timeout; 70100: query interrupted (MariaDB: the
     * connection was killed). MySQL's lock wait timeout (1205) and deadlock (1213) by their codes, whatever state.
     */
    private static boolean transientState(SQLException sql) {
        String state = sql.getSQLState();
        int code = sql.getErrorCode();
        if (code == 1205 || code == 1213) {
            return true;
        }
        return state != null
                && (state.startsWith("08")
                        || state.startsWith("40")
                        || state.startsWith("HYT")
                        || state.equals("70100"));
    }
}
