package com.realtimevoice.result.intake;

import com.realtimevoice.events.EventHeaders;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.TranscriptFinal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A producer interceptor for tests (spring.kafka.producer.properties.interceptor.classes): whenever the service
 * hands a final or a completion to its producer for an ingest node's topic, it looks in the database, on a
 * connection of its own (so it sees committed rows only), whether that final's row exists and the session is
 * completed. A final sent before its commit is recorded as a violation.
 */
public class StoredBeforeDeliveredCheck implements ProducerInterceptor<String, byte[]> {

    static final List<String> VIOLATIONS = new CopyOnWriteArrayList<>();
    static final AtomicInteger CHECKED = new AtomicInteger();

    private static volatile String url;
    private static volatile String user;
    private static volatile String password;
    private static Connection connection;

    /** Where to look: the test's database. */
    static void database(String jdbcUrl, String jdbcUser, String jdbcPassword) {
        url = jdbcUrl;
        user = jdbcUser;
        password = jdbcPassword;
    }

    @Override
    public ProducerRecord<String, byte[]> onSend(ProducerRecord<String, byte[]> record) {
        if (!record.topic().startsWith("asr.delivery.v1.") || record.headers().lastHeader(EventHeaders.TYPE) == null) {
            return record;
        }
        PipelineEvent event = EventRecords.decode(record.key(), record.headers(), record.value());
        try {
            if (event instanceof TranscriptFinal fin) {
                check(
                        fin.sessionId() + "#" + fin.index(),
                        "SELECT COUNT(*) FROM transcript_segment WHERE session_id = ? AND seg_index = " + fin.index(),
                        fin.sessionId());
            } else if (event instanceof SessionCompleted completed) {
                check(
                        completed.sessionId() + " completed",
                        "SELECT COUNT(*) FROM transcript_session WHERE id = ? AND status = 'COMPLETED'",
                        completed.sessionId());
            }
        } catch (SQLException e) {
            VIOLATIONS.add("could not check " + event + ": " + e);
        }
        return record;
    }

    private static synchronized void check(String what, String sql, String sessionId) throws SQLException {
        if (url == null) {
            return;
        }
        if (connection == null || connection.isClosed()) {
            connection =
                    DriverManager.getConnection(url, user, password); // autocommit: each query sees the latest commit
        }
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    VIOLATIONS.add(what + " was sent before it was committed");
                }
            }
        }
        CHECKED.incrementAndGet();
    }

    static synchronized void closeConnection() throws SQLException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
        url = null;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
}
