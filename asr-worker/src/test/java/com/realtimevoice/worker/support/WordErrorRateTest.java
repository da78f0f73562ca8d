package com.realtimevoice.worker.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.realtimevoice.testsupport.WordErrorRate;
import org.junit.jupiter.api.Test;

class WordErrorRateTest {

    @Test
    void identicalTextsHaveNoErrors() {
        assertThat(WordErrorRate.of("Hello, world!", "hello world")).isZero();
    }

    @Test
    void countsSubstitutionsDeletionsAndInsertions() {
        assertThat(WordErrorRate.of("the weather is nice today", "the whether is nice today"))
                .isEqualTo(0.2);
        assertThat(WordErrorRate.of("one two three four", "one three four")).isEqualTo(0.25);
        assertThat(WordErrorRate.of("hello world", "the law world")).isEqualTo(1.0);
        assertThat(WordErrorRate.of("a b c", "x a b c y")).isCloseTo(2 / 3.0, within(1e-9));
    }

    @Test
    void emptyHypothesisIsAllDeletions() {
        assertThat(WordErrorRate.of("one two", "")).isEqualTo(1.0);
        assertThat(WordErrorRate.of("", "")).isZero();
    }
}
