package com.realtimevoice.result;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.TestPropertySource;

/**
 * result-service with its own settings and the local profile, for tests of its HTTP side and its database: the
 * Kafka listeners do not start and no topics are created, so no broker is needed.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@TestPropertySource(
        properties = {
            "spring.config.name=result-service",
            "spring.profiles.active=local",
            "spring.kafka.listener.auto-startup=false",
            "spring.kafka.admin.auto-create=false"
        })
public @interface LocalWithoutKafka {}
