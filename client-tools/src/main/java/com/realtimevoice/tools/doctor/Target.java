package com.realtimevoice.tools.doctor;

import com.realtimevoice.tools.Endpoints;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The deployment as the checks have found it so far: the address DNS gave, and the TLS the TLS check settled on
 * (verified, or trusting anything when the certificate is bad so that the checks after it can still look). Opens
 * the sockets, HTTP requests and WebSockets the checks send, each on a fresh connection.
 */
final class Target {

    final Endpoints ep;
    private final Duration timeout;

    InetAddress address;
    SSLSocketFactory tlsFactory;
    boolean tlsUnverified;

    Target(Endpoints ep, Duration timeout) {
        this.ep = ep;
        this.timeout = timeout;
    }

    int timeoutMs() {
        return (int) timeout.toMillis();
    }

    /** A connection to the target, through TLS when the URL is secure. */
    Socket open() throws IOException {
        if (!ep.secure()) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(address, ep.port()), timeoutMs());
            s.setSoTimeout(timeoutMs());
            return s;
        }
        return handshake(tlsFactory, !tlsUnverified, null);
    }

    SSLSocket handshake(SSLSocketFactory factory, boolean verifyHostname, String[] protocols) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(address, ep.port()), timeoutMs());
            plain.setSoTimeout(timeoutMs());
            SSLSocket s = (SSLSocket) factory.createSocket(plain, ep.host(), ep.port(), true);
            SSLParameters p = s.getSSLParameters();
            if (verifyHostname) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!isIpLiteral(ep.host())) {
                p.setServerNames(List.of(new SNIHostName(ep.host())));
            }
            if (protocols != null) {
                p.setProtocols(protocols);
            }
            s.setSSLParameters(p);
            s.startHandshake();
            return s;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    RawHttp.Response http(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        try (Socket s = open()) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put("Connection", "close");
            RawHttp.writeRequest(s.getOutputStream(), method, path, ep.authority(), h, body);
            return RawHttp.readResponse(new BufferedInputStream(s.getInputStream()), true);
        }
    }

    /** An upgraded stream socket, reading; with the token in the Authorization header when one is given. */
    RawWebSocket openSocket(String token) throws IOException {
        Socket s = open();
        try {
            Map<String, String> headers = new LinkedHashMap<>();
            if (token != null) {
                headers.put("Authorization", "Bearer " + token);
            }
            RawWebSocket ws = RawWebSocket.handshake(s, ep.authority(), ep.streamPath(), headers, true);
            if (!ws.upgraded()) {
                s.close();
                throw new IOException("HTTP " + ws.handshake.status() + " instead of 101");
            }
            return ws.startReading();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
