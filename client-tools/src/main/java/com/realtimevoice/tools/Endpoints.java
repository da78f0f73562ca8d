package com.realtimevoice.tools;

import com.realtimevoice.client.cli.Args;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where a deployment's endpoints are, from one URL the user gives: a base ({@code https://voice.example.com},
 * optionally with a path prefix a proxy adds) or the stream URL itself ({@code wss://host/api/realtime-voice/stream}).
 */
public record Endpoints(boolean secure, String host, int port, String prefix, String streamPath) {

    public static final String STREAM_PATH = "/api/realtime-voice/stream";

    public static Endpoints parse(String url) throws Args.UsageException {
        if (url == null || url.isBlank()) {
            throw new Args.UsageException("no server URL given");
        }
        if (!url.contains("://")) {
            url = "http://" + url;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Args.UsageException("not a URL: " + url + " (" + e.getMessage() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        boolean secure;
        switch (scheme) {
            case "http", "ws" -> secure = false;
            case "https", "wss" -> secure = true;
            default ->
                throw new Args.UsageException(
                        "unsupported scheme '" + scheme + "' in " + url + " (use http, https, ws or wss)");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new Args.UsageException("no host in " + url);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        int api = path.indexOf("/api/");
        String prefix;
        String stream;
        if (api >= 0) {
            // The user named an API path (perhaps a wrong one): keep it as the stream path, as a client would use it.
            prefix = path.substring(0, api);
            stream = path;
        } else {
            prefix = path;
            stream = path + STREAM_PATH;
        }
        return new Endpoints(secure, host, port, prefix, stream);
    }

    boolean defaultPort() {
        return port == (secure ? 443 : 80);
    }

    /** Host header value. */
    public String authority() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return defaultPort() ? h : h + ":" + port;
    }

    URI http(String path) {
        return URI.create((secure ? "https://" : "http://") + authority() + prefix + path);
    }

    public URI stream() {
        return URI.create((secure ? "wss://" : "ws://") + authority() + streamPath);
    }

    public String base() {
        return (secure ? "https://" : "http://") + authority() + prefix;
    }
}
