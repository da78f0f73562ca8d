package com.realtimevoice.worker.recognition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.core.NestedRuntimeException;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.MessageListenerContainer;

/** Which failures are retried before they go to the dead-letter topic. */
class ErrorHandlerTest {

    private final List<Exception> recovered = new ArrayList<>();
    private final DefaultErrorHandler handler = KafkaConfiguration.errorHandler((record, e) -> recovered.add(e));
    private final ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(Topics.AUDIO, 0, 42, "s", new byte[0]);
    private final Consumer<?, ?> consumer = mock(Consumer.class);
    private final MessageListenerContainer container = mock(MessageListenerContainer.class);

    @Test
    void malformedRecordsGoStraightToTheDeadLetterTopic() {
        fail(new MalformedEventException("missing header rv-type"));
        assertThat(recovered).hasSize(1);
    }

    @Test
    void otherFailuresAreRetriedThreeTimesFirst() {
        when(container.isRunning()).thenReturn(true);
        for (int attempt = 1; attempt <= KafkaConfiguration.RETRY_ATTEMPTS; attempt++) {
            fail(new IllegalStateException("cannot publish to " + Topics.TRANSCRIPTS));
            assertThat(recovered).as("after attempt %d", attempt).isEmpty();
        }
        fail(new IllegalStateException("cannot publish to " + Topics.TRANSCRIPTS));
        assertThat(recovered).hasSize(1);
    }

    private void fail(Exception cause) {
        // The container hands the error handler the listener's exception wrapped, as here.
        try {
            handler.handleRemaining(
                    new ListenerExecutionFailedException("listener failed", cause),
                    List.of(record),
                    consumer,
                    container);
        } catch (NestedRuntimeException retrying) {
            // "Record in retry and not yet recovered": the handler sought back; the container redelivers the record
            assertThat(retrying).hasMessageContaining("retry");
        }
    }
}
