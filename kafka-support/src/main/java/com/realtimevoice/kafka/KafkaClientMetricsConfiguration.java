package com.realtimevoice.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The Kafka clients' own metrics of a service: Spring Kafka's binders, but a client's new metrics are looked for
 * every {@code KAFKA_METRICS_REFRESH} (10 s, realtime-voice-kafka-metrics.yml) instead of Micrometer's fixed minute,
 * so the partitions a consumer takes over in a failover show their lag within seconds; and each metric once (see
 * {@link KafkaMeters}). Boot's KafkaMetricsAutoConfiguration adds its own binders (a minute) to the consumer and
 * producer factories; they are swapped for these once the factory is built, whatever else excludes or adds
 * auto-configurations (the embedded default passes its own {@code spring.autoconfigure.exclude}).
 */
@Configuration(proxyBeanMethods = false)
public class KafkaClientMetricsConfiguration {

    @Bean
    public MeterFilter kafkaTopicMetricsOnce() {
        return KafkaMeters.topicMetricsOnce();
    }

    /**
     * One thread refreshes every client's metrics; the binders do not own it, the context closes it. Not a bean of
     * type ScheduledExecutorService: one of those would stand in for Boot's TaskScheduler, which other beans need.
     */
    @Bean(destroyMethod = "close")
    public static MetricsRefresher kafkaClientMetricsRefresher() {
        return new MetricsRefresher();
    }

    /** Static, lazy in what it needs: a post-processor is created before the beans it looks at. */
    @Bean
    public static BeanPostProcessor kafkaClientMetricsBinding(
            ObjectProvider<MeterRegistry> registry, ObjectProvider<MetricsRefresher> refresher, Environment env) {
        return new BeanPostProcessor() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof DefaultKafkaConsumerFactory consumers) {
                    for (ConsumerFactory.Listener listener :
                            List.copyOf((List<ConsumerFactory.Listener>) consumers.getListeners())) {
                        if (listener instanceof MicrometerConsumerListener) {
                            consumers.removeListener(listener);
                        }
                    }
                    consumers.addListener(new RefreshedConsumerMetrics<>(
                            registry.getObject(), refresher.getObject().executor, refresh(env)));
                } else if (bean instanceof DefaultKafkaProducerFactory producers) {
                    for (ProducerFactory.Listener listener :
                            List.copyOf((List<ProducerFactory.Listener>) producers.getListeners())) {
                        if (listener instanceof MicrometerProducerListener) {
                            producers.removeListener(listener);
                        }
                    }
                    producers.addListener(new RefreshedProducerMetrics<>(
                            registry.getObject(), refresher.getObject().executor, refresh(env)));
                }
                return bean;
            }
        };
    }

    private static Duration refresh(Environment env) {
        Duration refresh = env.getProperty("kafka-client-metrics.refresh", Duration.class);
        if (refresh == null || refresh.isNegative() || refresh.isZero()) {
            throw new IllegalStateException("KAFKA_METRICS_REFRESH (kafka-client-metrics.refresh) must be a positive"
                    + " duration such as 10s, was " + env.getProperty("kafka-client-metrics.refresh"));
        }
        return refresh;
    }

    /** The refresh thread's owner. */
    public static final class MetricsRefresher implements AutoCloseable {

        private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "kafka-client-metrics");
            thread.setDaemon(true);
            return thread;
        });

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }

    /** Spring Kafka's listener (binds on create, unbinds on close) with the refresh interval set. */
    public static final class RefreshedConsumerMetrics<K, V> extends MicrometerConsumerListener<K, V> {

        private final ScheduledExecutorService refresher;
        private final Duration refresh;

        RefreshedConsumerMetrics(MeterRegistry registry, ScheduledExecutorService refresher, Duration refresh) {
            super(registry);
            this.refresher = refresher;
            this.refresh = refresh;
        }

        /** How often the client's new metrics are looked for. */
        public Duration refresh() {
            return refresh;
        }

        @Override
        protected MeterBinder createClientMetrics(Consumer<K, V> consumer, List<Tag> tags) {
            return new KafkaClientMetrics(consumer, tags, refresher, refresh);
        }
    }

    /** The producers' counterpart of {@link RefreshedConsumerMetrics}. */
    public static final class RefreshedProducerMetrics<K, V> extends MicrometerProducerListener<K, V> {

        private final ScheduledExecutorService refresher;
        private final Duration refresh;

        RefreshedProducerMetrics(MeterRegistry registry, ScheduledExecutorService refresher, Duration refresh) {
            super(registry);
            this.refresher = refresher;
            this.refresh = refresh;
        }

        @Override
        protected MeterBinder createClientMetrics(Producer<K, V> producer, List<Tag> tags) {
            return new KafkaClientMetrics(producer, tags, refresher, refresh);
        }
    }
}
