package com.realtimevoice.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamFormatTest {

    @Test
    void foldedChannelsDecideSupportAndFrameAlignment() {
        assertThat(StreamFormat.unsupported("pcm;channels=2", 48000)).isNull();
        assertThat(StreamFormat.unsupported("mp3", 16000)).isNull();
        assertThat(StreamFormat.unsupported("pcm;channels=3", 16000)).contains("channels 3");
        assertThat(StreamFormat.unsupported("pcm;bits=24", 16000)).contains("channels");
        assertThat(StreamFormat.frameAlignment("pcm;channels=2")).isEqualTo(4);
        assertThat(StreamFormat.frameAlignment("mp3")).isEqualTo(1);
    }
}
