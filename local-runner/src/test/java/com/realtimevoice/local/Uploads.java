package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.StreamingClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** {@code POST /api/realtime-voice/recognize} as a client sends it: one audio file in a multipart form. */
final class Uploads {

    private Uploads() {}

    /** Sends the upload; the transcript it is answered with (200, or the test fails showing the answer). */
    static JsonNode transcript(HttpClient http, HttpRequest upload) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(upload, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return StreamingClient.JSON.readTree(r.body());
    }

    /** The request that uploads {@code audio} as the file {@code filename} to the ingest node at {@code baseUrl}. */
    static HttpRequest.Builder recognize(
            String baseUrl, String token, String filename, String contentType, byte[] audio) {
        String boundary = "----rv" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"" + filename
                        + "\"\r\n" + "Content-Type: " + contentType + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(URI.create(baseUrl + "/api/realtime-voice/recognize"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(List.of(head, audio, tail)));
    }
}
