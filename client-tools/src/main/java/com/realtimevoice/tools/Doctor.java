package com.realtimevoice.tools;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import com.realtimevoice.client.cli.Args;

import tools.jackson.databind.JsonNode;

/**
 * {@code doctor}: diagnoses a deployment from the outside, the way a mini-program reaches it, and prints a checklist
 * with the fix for each failure: DNS, TCP, TLS, /health, the WebSocket upgrade, proxies that drop the upgrade headers,
 * authentication, a full round trip with a bundled clip, and an idle timeout that cuts quiet sockets.
 */
final class Doctor {

    static final String USAGE_TEXT = """
            usage: doctor [options] URL
              Diagnoses a deployment: URL is its base (https://voice.example.com, http://localhost:8080, with any path
              prefix a proxy adds) or the stream URL a client uses (wss://voice.example.com/api/realtime-voice/stream).
            options:
              --token TOKEN       a JWT to test authentication and the round trip with (default $RV_TOKEN)
              --user ID           user for a development token when no token is given (default rv-doctor; local profile)
              --idle-seconds N    hold a quiet socket this long to find idle timeouts (default 70; 0 skips)
              --timeout N         seconds for each network step (default 10)
              --clip FILE.wav     speech for the round trip (default: a bundled clip saying "what time is it")
            exit codes: 0 nothing failed (warnings allowed), 1 something failed, 2 usage
            """;

    enum Status {
        OK("[ OK ]"), WARN("[WARN]"), FAIL("[FAIL]"), SKIP("[SKIP]");

        final String label;

        Status(String label) {
            this.label = label;
        }
    }

    /** One line of the checklist. */
    record Check(String name, Status status, String detail, String fix) {
    }

    /** Name resolution, replaceable in tests so that no lookup leaves the machine. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    static final class Options {
        Duration timeout = Duration.ofSeconds(10);
        Duration idle = Duration.ofSeconds(70);
        String token;
        String devTokenUser = "rv-doctor";
        Path clip;
        Resolver resolver = InetAddress::getAllByName;
    }

    static final String DNS = "DNS";
    static final String TCP = "TCP connect";
    static final String TLS = "TLS";
    static final String HEALTH = "HTTP /health";
    static final String UPGRADE = "WebSocket upgrade";
    static final String PROXY = "Proxy passes Upgrade";
    static final String AUTH = "Authentication";
    static final String ROUND_TRIP = "Round trip";
    static final String IDLE = "Idle timeout";
    static final List<String> ORDER = List.of(DNS, TCP, TLS, HEALTH, UPGRADE, PROXY, AUTH, ROUND_TRIP, IDLE);

    static final String NGINX_UPGRADE = "nginx: in the location that proxies the stream add  proxy_http_version 1.1;  "
            + "proxy_set_header Upgrade $http_upgrade;  proxy_set_header Connection \"upgrade\";  "
            + "(other proxies and load balancers: enable WebSocket support for this route)";

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final Endpoints ep;
    private final Options options;
    private final PrintStream out;
    private final List<Check> results = new ArrayList<>();

    private InetAddress address;
    private SSLSocketFactory tlsFactory;
    private boolean tlsUnverified;
    private String token;
    private String tokenSource;
    private String tokenProblem;

    Doctor(Endpoints endpoints, Options options, PrintStream out) {
        this.ep = endpoints;
        this.options = options;
        this.out = out;
    }

    static int main(String[] argv, PrintStream out, PrintStream err) {
        Options o = new Options();
        Endpoints endpoints;
        try {
            Args a = Args.parse(argv, Set.of("token", "user", "idle-seconds", "timeout", "clip"), Set.of("help", "h"));
            if (a.flag("help") || a.flag("h")) {
                out.print(USAGE_TEXT);
                return 0;
            }
            if (a.positional().size() != 1) {
                throw new Args.UsageException("give the deployment's URL");
            }
            endpoints = Endpoints.parse(a.positional().get(0));
            o.token = a.get("token", Args.env("RV_TOKEN"));
            o.devTokenUser = a.get("user", o.devTokenUser);
            o.idle = Duration.ofMillis((long) (a.number("idle-seconds", 70) * 1000));
            o.timeout = Duration.ofMillis((long) (a.number("timeout", 10) * 1000));
            if (a.has("clip")) {
                o.clip = Path.of(a.get("clip", null));
            }
        } catch (Args.UsageException e) {
            err.println("doctor: " + e.getMessage());
            err.print(USAGE_TEXT);
            return 2;
        }
        return new Doctor(endpoints, o, out).run();
    }

    List<Check> results() {
        return List.copyOf(results);
    }

    Check result(String name) {
        return results.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    /** Runs every check, printing each as it completes; 0 if none failed. */
    int run() {
        out.println("realtime-voice doctor: " + ep.base() + "   (stream: " + ep.stream() + ")");
        out.println();
        try {
            runChecks();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("interrupted");
        }
        long failed = results.stream().filter(c -> c.status() == Status.FAIL).count();
        long warned = results.stream().filter(c -> c.status() == Status.WARN).count();
        long ok = results.stream().filter(c -> c.status() == Status.OK).count();
        long skipped = results.stream().filter(c -> c.status() == Status.SKIP).count();
        out.println();
        out.printf("doctor: %d ok, %d warning(s), %d failing, %d skipped%n", ok, warned, failed, skipped);
        if (failed > 0) {
            out.println("Fix the first failure first: the ones after it may follow from it.");
        }
        return failed > 0 ? 1 : 0;
    }

    private void runChecks() throws InterruptedException {
        if (!dns() || !tcp()) {
            skipRemaining("needs a TCP connection");
            return;
        }
        if (ep.secure()) {
            if (!tls()) {
                skipRemaining("needs a TLS connection");
                return;
            }
        } else {
            report(TLS, Status.SKIP, "plain " + (ep.stream().getScheme()) + "://: fine for local tests; mini-programs need "
                    + "wss:// with a trusted certificate on a whitelisted domain", null);
        }
        health();
        obtainToken();
        boolean upgraded = upgrade();
        if (!upgraded) {
            report(AUTH, Status.SKIP, "needs a WebSocket upgrade", null);
            report(ROUND_TRIP, Status.SKIP, "needs a WebSocket upgrade", null);
            report(IDLE, Status.SKIP, "needs a WebSocket upgrade", null);
            return;
        }
        Session session = auth();
        // The idle hold runs beside the round trip; it sends the token only once the token has proved good.
        boolean tokenGood = session != null || (token != null && result(AUTH).status() == Status.OK);
        CompletableFuture<Check> idle = options.idle.isZero() ? null
                : CompletableFuture.supplyAsync(() -> idleHold(tokenGood));
        if (session != null) {
            try (RawWebSocket ws = session.ws()) {
                roundTrip(ws, session.sessionId());
            }
        }
        if (idle != null) {
            Check c = idle.join();
            report(c.name(), c.status(), c.detail(), c.fix());
        } else {
            report(IDLE, Status.SKIP, "--idle-seconds 0", null);
        }
    }

    /** An authenticated socket with a started session. */
    private record Session(RawWebSocket ws, String sessionId) {
    }

    // ---------------------------------------------------------------- DNS, TCP

    private boolean dns() {
        long t0 = System.nanoTime();
        try {
            InetAddress[] all = options.resolver.resolve(ep.host());
            address = all[0];
            List<String> shown = new ArrayList<>();
            for (InetAddress a : all) {
                shown.add(a.getHostAddress());
            }
            String detail = ep.host() + " -> " + String.join(", ", shown) + " (" + ms(t0) + " ms)";
            if (isIpLiteral(ep.host())) {
                report(DNS, Status.WARN, detail + "; an IP address, not a name",
                        "mini-programs accept only domain names in the socket whitelist (with an ICP filing in mainland China)");
            } else if (address.isSiteLocalAddress() || address.isLinkLocalAddress()) {
                report(DNS, Status.WARN, detail + "; a private address, unreachable for phones outside this network",
                        "publish a public A/AAAA record for " + ep.host());
            } else {
                report(DNS, Status.OK, detail, null);
            }
            return true;
        } catch (UnknownHostException e) {
            report(DNS, Status.FAIL, "cannot resolve " + ep.host() + " (" + e.getMessage() + ")",
                    "check the spelling and the domain's A/AAAA record (dig " + ep.host() + "); a new record may take a while to spread");
            return false;
        }
    }

    private boolean tcp() {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, ep.port()), timeoutMs());
            report(TCP, Status.OK, address.getHostAddress() + ":" + ep.port() + " in " + ms(t0) + " ms", null);
            return true;
        } catch (ConnectException e) {
            report(TCP, Status.FAIL, "connection refused at " + address.getHostAddress() + ":" + ep.port()
                            + ": nothing listens there",
                    "start the service (or the proxy in front of it); check the port (ingest-service: PORT, default 8080; "
                            + "a proxy: its listen directive) and that the URL's port is the public one");
        } catch (SocketTimeoutException e) {
            report(TCP, Status.FAIL, "no answer from " + address.getHostAddress() + ":" + ep.port() + " within " + options.timeout.toSeconds() + " s",
                    "a firewall or security group drops the packets: open port " + ep.port() + " to the internet");
        } catch (NoRouteToHostException e) {
            report(TCP, Status.FAIL, "no route to " + address.getHostAddress() + " (" + e.getMessage() + ")",
                    "the host is down or a firewall rejects the traffic");
        } catch (IOException e) {
            report(TCP, Status.FAIL, "cannot connect to " + address.getHostAddress() + ":" + ep.port() + ": " + e, "check the host and port");
        }
        return false;
    }

    // ---------------------------------------------------------------- TLS

    private boolean tls() {
        SSLSocketFactory strict;
        try {
            strict = SSLContext.getDefault().getSocketFactory();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (SSLSocket s = handshake(strict, true, null)) {
            tlsFactory = strict;
            String protocol = s.getSession().getProtocol();
            X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
            long days = Duration.between(Instant.now(), leaf.getNotAfter().toInstant()).toDays();
            String detail = protocol + ", " + subject(leaf) + ", issued by " + issuer(leaf) + ", valid until "
                    + DATE.format(leaf.getNotAfter().toInstant()) + " (" + days + " days)";
            if (protocol.equals("TLSv1") || protocol.equals("TLSv1.1") || protocol.startsWith("SSL")) {
                report(TLS, Status.FAIL, detail + "; " + protocol + " is too old",
                        "WeChat and current browsers require TLS 1.2 or 1.3: ssl_protocols TLSv1.2 TLSv1.3;");
            } else if (days < 14) {
                report(TLS, Status.WARN, detail + "; expires soon", "renew the certificate (certbot renew, or your CA) and reload the proxy");
            } else if (!supports(strict, "TLSv1.2")) {
                report(TLS, Status.WARN, detail + "; TLS 1.2 is not offered",
                        "older phones and WeChat versions need TLS 1.2: ssl_protocols TLSv1.2 TLSv1.3;");
            } else {
                report(TLS, Status.OK, detail, null);
            }
            return true;
        } catch (SSLHandshakeException e) {
            return analyseUntrusted(e);
        } catch (SSLException e) {
            report(TLS, Status.FAIL, "no TLS handshake with " + ep.authority() + ": " + e.getMessage(),
                    plainHttpHint(e) + "the listener must speak TLS 1.2+ (nginx: listen 443 ssl; ssl_certificate ...)");
            return false;
        } catch (IOException e) {
            report(TLS, Status.FAIL, "the connection failed during the TLS handshake: " + e,
                    "the listener must speak TLS 1.2+ (nginx: listen 443 ssl; ssl_certificate ...; ssl_protocols TLSv1.2 TLSv1.3;)");
            return false;
        }
    }

    private static String plainHttpHint(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Unsupported or unrecognized SSL message") || m.contains("plaintext")
                ? "the port answers plain HTTP, not TLS: use http:// / ws:// for it, or enable TLS on the listener; " : "";
    }

    /** The normal handshake failed: look at the certificate without trusting it, and say exactly what is wrong. */
    private boolean analyseUntrusted(SSLHandshakeException original) {
        SSLSocketFactory trustAll = trustAllFactory();
        try (SSLSocket s = handshake(trustAll, false, null)) {
            Certificate[] chain = s.getSession().getPeerCertificates();
            X509Certificate leaf = (X509Certificate) chain[0];
            Instant now = Instant.now();
            List<String> problems = new ArrayList<>();
            List<String> fixes = new ArrayList<>();
            if (now.isAfter(leaf.getNotAfter().toInstant())) {
                long ago = Duration.between(leaf.getNotAfter().toInstant(), now).toDays();
                problems.add("certificate expired on " + DATE.format(leaf.getNotAfter().toInstant()) + " (" + ago + " days ago)");
                fixes.add("renew the certificate (certbot renew, or your CA) and reload the proxy (nginx -s reload)");
            }
            if (now.isBefore(leaf.getNotBefore().toInstant())) {
                problems.add("certificate not valid before " + DATE.format(leaf.getNotBefore().toInstant()));
                fixes.add("check the server's and this machine's clocks");
            }
            List<String> names = subjectNames(leaf);
            if (!hostnameMatches(ep.host(), names)) {
                problems.add("certificate is for " + names + ", not " + ep.host());
                fixes.add("get a certificate whose subjectAltName covers " + ep.host());
            }
            boolean selfSigned = leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal());
            if (selfSigned) {
                problems.add("self-signed (" + subject(leaf) + ")");
                fixes.add("phones, WeChat and browsers reject self-signed certificates: use one from a public CA (e.g. Let's Encrypt)");
            } else if (problems.isEmpty()) {
                problems.add("chain not trusted: the server sends " + chain.length + " certificate(s), issued by " + issuer(leaf)
                        + " (" + rootCause(original) + ")");
                fixes.add("serve the full chain, leaf first then intermediates (nginx: ssl_certificate fullchain.pem)");
            }
            String protocol = s.getSession().getProtocol();
            report(TLS, Status.FAIL, protocol + ": " + String.join("; ", problems)
                            + "  [the checks below go on without certificate validation]", String.join("; ", fixes));
            tlsFactory = trustAll;
            tlsUnverified = true;
            return true;
        } catch (IOException e) {
            report(TLS, Status.FAIL, "no TLS handshake with " + ep.authority() + ": " + rootCause(original),
                    plainHttpHint(original) + "the listener must speak TLS 1.2+ with a certificate "
                            + "(nginx: listen 443 ssl; ssl_certificate fullchain.pem; ssl_protocols TLSv1.2 TLSv1.3;)");
            return false;
        }
    }

    private boolean supports(SSLSocketFactory factory, String protocol) {
        try (SSLSocket s = handshake(factory, true, new String[] {protocol})) {
            return protocol.equals(s.getSession().getProtocol());
        } catch (IOException e) {
            return false;
        }
    }

    private SSLSocket handshake(SSLSocketFactory factory, boolean verifyHostname, String[] protocols) throws IOException {
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

    private static SSLSocketFactory trustAllFactory() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
                @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) { }
                @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) { }
                @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) { }
                @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) { }
                @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
                @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
                @Override public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx.getSocketFactory();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> subjectNames(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    Integer type = (Integer) san.get(0);
                    if (type == 2 || type == 7) { // dNSName, iPAddress
                        names.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // fall back to the CN
        }
        if (names.isEmpty()) {
            String cn = commonName(cert);
            if (cn != null) {
                names.add(cn);
            }
        }
        return names;
    }

    static boolean hostnameMatches(String host, List<String> names) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String n : names) {
            String name = n.toLowerCase(Locale.ROOT);
            if (name.equals(h)) {
                return true;
            }
            if (name.startsWith("*.") && h.indexOf('.') > 0 && h.substring(h.indexOf('.')).equals(name.substring(1))) {
                return true;
            }
        }
        return false;
    }

    private static String commonName(X509Certificate cert) {
        for (String part : cert.getSubjectX500Principal().getName().split(",")) {
            if (part.trim().startsWith("CN=")) {
                return part.trim().substring(3);
            }
        }
        return null;
    }

    private static String subject(X509Certificate cert) {
        String cn = commonName(cert);
        return cn == null ? cert.getSubjectX500Principal().getName() : "CN=" + cn;
    }

    private static String issuer(X509Certificate cert) {
        String dn = cert.getIssuerX500Principal().getName();
        for (String part : dn.split(",")) {
            if (part.trim().startsWith("CN=") || part.trim().startsWith("O=")) {
                return part.trim();
            }
        }
        return dn;
    }

    // ---------------------------------------------------------------- HTTP

    private Socket open() throws IOException {
        if (!ep.secure()) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(address, ep.port()), timeoutMs());
            s.setSoTimeout(timeoutMs());
            return s;
        }
        return handshake(tlsFactory, !tlsUnverified, null);
    }

    private RawHttp.Response http(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        try (Socket s = open()) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put("Connection", "close");
            RawHttp.writeRequest(s.getOutputStream(), method, path, ep.authority(), h, body);
            return RawHttp.readResponse(new BufferedInputStream(s.getInputStream()), true);
        }
    }

    private void health() {
        String path = ep.prefix() + "/health";
        RawHttp.Response r;
        try {
            r = http("GET", path, Map.of("Accept", "application/json"), null);
        } catch (IOException e) {
            report(HEALTH, Status.FAIL, "no HTTP answer to GET " + path + ": " + e.getMessage(),
                    "something that is not an HTTP server listens on " + ep.port() + (ep.secure() ? "" : " (a TLS port? then use https://)"));
            return;
        }
        String via = r.via().isEmpty() ? "" : " [" + r.via() + "]";
        if (r.body().contains("plain HTTP request was sent to HTTPS port")) {
            report(HEALTH, Status.FAIL, r.status() + ": this port expects TLS" + via, "use https:// (and wss:// in the client)");
            return;
        }
        if (r.status() == 200 && r.isJson()) {
            JsonNode body = parse(r.body());
            String status = body == null ? "" : body.path("status").asString();
            String service = body == null ? "" : body.path("service").asString();
            String detail = "200 " + DevTokens.abbreviate(r.body(), 160) + via;
            if ("UP".equals(status)) {
                report(HEALTH, Status.OK, detail, null);
            } else {
                report(HEALTH, Status.WARN, detail + "; not UP", "see the ingest-service log");
            }
            if (!service.isEmpty() && !service.equals("ingest-service")) {
                report(HEALTH, Status.WARN, "answered by '" + service + "', not ingest-service",
                        "route the public URL to ingest-service (PORT, default 8080), not " + service);
            }
            return;
        }
        switch (r.status()) {
            case 200 -> report(HEALTH, Status.FAIL, "200 but not ingest-service's JSON: " + DevTokens.abbreviate(r.body(), 120) + via,
                    "another application answers here: route " + path + " and /api/ to ingest-service");
            case 503 -> report(HEALTH, Status.FAIL, "503 " + DevTokens.abbreviate(r.body(), 160) + via,
                    r.isJson() ? "ingest-service runs but is not ready: see its log (Kafka reachable? KAFKA_BOOTSTRAP_SERVERS)"
                            : "the proxy has no healthy upstream: start ingest-service or fix the proxy_pass address");
            case 502, 504 -> report(HEALTH, Status.FAIL, r.status() + " from the proxy" + via,
                    "the proxy cannot reach ingest-service: is it running, and does proxy_pass name its host and port (PORT, default 8080)?");
            case 404 -> report(HEALTH, Status.FAIL, "404 at " + path + via + (r.isJson() ? " " + DevTokens.abbreviate(r.body(), 160) : " (not from ingest-service)"),
                    "route " + path + " and /api/ to ingest-service (nginx: location / { proxy_pass http://ingest:8080; })");
            default -> report(HEALTH, Status.FAIL, r.status() + " " + r.reason() + via + " " + DevTokens.abbreviate(r.body(), 120),
                    "GET " + path + " must reach ingest-service");
        }
    }

    private void obtainToken() {
        if (options.token != null) {
            token = options.token;
            tokenSource = "the given token";
            return;
        }
        if (options.devTokenUser == null) {
            tokenProblem = "no token given (--token)";
            return;
        }
        try {
            RawHttp.Response r = http("POST", ep.prefix() + "/api/auth/dev-token", Map.of("Content-Type", "application/json"),
                    DevTokens.JSON.writeValueAsString(Map.of("userId", options.devTokenUser)).getBytes(StandardCharsets.UTF_8));
            JsonNode body = r.status() == 200 ? parse(r.body()) : null;
            if (body != null && !body.path("token").asString().isEmpty()) {
                token = body.path("token").asString();
                tokenSource = "a development token for '" + options.devTokenUser + "' (the server runs the local profile)";
            } else if (r.status() == 404) {
                tokenProblem = "no token given (--token), and the server issues no development tokens (not the local profile)";
            } else {
                tokenProblem = "no token given, and POST /api/auth/dev-token answered " + r.status();
            }
        } catch (IOException e) {
            tokenProblem = "no token given, and the development token request failed: " + e.getMessage();
        }
    }

    // ---------------------------------------------------------------- WebSocket upgrade

    private boolean upgrade() {
        String path = ep.streamPath();
        RawHttp.Response r;
        try (Socket s = open()) {
            RawWebSocket ws = RawWebSocket.handshake(s, ep.authority(), path, Map.of(), true);
            r = ws.handshake;
            if (ws.upgraded()) {
                if (!ws.acceptValid()) {
                    report(UPGRADE, Status.FAIL, "101 at " + path + " but with a wrong Sec-WebSocket-Accept" + via(r),
                            "something between rewrites the handshake: let the proxy pass it through unchanged");
                    report(PROXY, Status.FAIL, "the handshake was altered on its way", NGINX_UPGRADE);
                    ws.close();
                    return false;
                }
                report(UPGRADE, Status.OK, "101 Switching Protocols at " + path + via(r), null);
                report(PROXY, Status.OK, "Upgrade and Connection reach the server", null);
                ws.close();
                return true;
            }
        } catch (IOException e) {
            report(UPGRADE, Status.FAIL, "the upgrade request to " + path + " failed: " + e.getMessage(),
                    "a proxy or load balancer closes WebSocket upgrades: enable WebSocket support for " + path);
            report(PROXY, Status.SKIP, "no answer to judge by", null);
            return false;
        }
        String said = r.isJson() ? jsonMessage(r.body()) : DevTokens.abbreviate(stripHtml(r.body()), 120);
        String detail = "HTTP " + (r.status() + " " + r.reason()).strip() + " instead of 101 at " + path + via(r)
                + (said.isEmpty() ? "" : ": " + said);
        if (r.status() == 404) {
            JsonNode body = r.isJson() ? parse(r.body()) : null;
            String hint = body == null ? "" : body.path("hint").asString();
            if (!hint.isEmpty()) {
                report(UPGRADE, Status.FAIL, detail + " (hint: " + hint + ")",
                        "connect to " + (ep.secure() ? "wss://" : "ws://") + ep.authority() + ep.prefix() + Endpoints.STREAM_PATH);
            } else {
                report(UPGRADE, Status.FAIL, detail + " (not ingest-service's JSON 404: the proxy has no route for it)",
                        "route " + path + " to ingest-service, with the upgrade headers (" + NGINX_UPGRADE + ")");
            }
            report(PROXY, Status.SKIP, "the path is wrong; fix it first", null);
            return false;
        }
        boolean headersLost = r.status() == 400 || r.status() == 426;
        try {
            // The same path without the upgrade headers: if the answer is the same, the headers never arrived.
            RawHttp.Response plain;
            try (Socket s = open()) {
                plain = RawWebSocket.handshake(s, ep.authority(), path, Map.of(), false).handshake;
            }
            headersLost = headersLost || (plain.status() == r.status() && plain.body().equals(r.body()));
        } catch (IOException e) {
            // judge by the status alone
        }
        if (headersLost) {
            report(UPGRADE, Status.FAIL, detail, "see the next line");
            report(PROXY, Status.FAIL, "the server answers as if Upgrade/Connection were never sent: a proxy between drops them"
                    + (r.via().isEmpty() ? "" : " (" + r.via() + ")"), NGINX_UPGRADE);
        } else if (r.status() == 502 || r.status() == 503 || r.status() == 504) {
            report(UPGRADE, Status.FAIL, detail, "the proxy cannot reach ingest-service for " + path + ": check proxy_pass and that the service runs");
            report(PROXY, Status.SKIP, "no upstream to judge by", null);
        } else {
            report(UPGRADE, Status.FAIL, detail, "GET " + path + " with Upgrade: websocket must reach ingest-service and answer 101");
            report(PROXY, Status.SKIP, "the answer does not tell", null);
        }
        return false;
    }

    private static String via(RawHttp.Response r) {
        return r.via().isEmpty() ? "" : " [" + r.via() + "]";
    }

    // ---------------------------------------------------------------- authentication, round trip

    private RawWebSocket openSocket(boolean withToken) throws IOException {
        Socket s = open();
        try {
            Map<String, String> headers = new LinkedHashMap<>();
            if (withToken && token != null) {
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

    /** Authentication by the Authorization header, as wx.connectSocket sends it; a started session if it passes. */
    private Session auth() throws InterruptedException {
        if (token == null) {
            report(AUTH, Status.SKIP, tokenProblem, "pass --token with a token from your login service");
            report(ROUND_TRIP, Status.SKIP, "needs a token", null);
            return null;
        }
        JsonNode claims = DevTokens.claims(token);
        RawWebSocket ws;
        try {
            ws = openSocket(true);
        } catch (IOException e) {
            report(AUTH, Status.FAIL, "could not open the socket: " + e.getMessage(), "see the upgrade check");
            report(ROUND_TRIP, Status.SKIP, "no socket", null);
            return null;
        }
        boolean keep = false;
        try {
            ws.sendText("{\"type\":\"start\",\"format\":\"pcm\",\"sampleRate\":16000,\"interimResults\":true}");
            long deadline = System.nanoTime() + options.timeout.toNanos();
            while (true) {
                RawWebSocket.Event e = ws.next(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    report(AUTH, Status.FAIL, "no answer to 'start' within " + options.timeout.toSeconds() + " s",
                            "ingest-service accepted the socket but does not answer: see its log");
                    report(ROUND_TRIP, Status.SKIP, "no session", null);
                    return null;
                }
                if (e.kind() != RawWebSocket.Event.Kind.TEXT) {
                    report(AUTH, Status.FAIL, "the socket closed before 'started' (" + closeText(e) + ")",
                            e.closeCode() == 1008 ? tokenFix(claims) : "see the ingest-service log");
                    report(ROUND_TRIP, Status.SKIP, "no session", null);
                    return null;
                }
                JsonNode m = parse(e.text());
                String type = m == null ? "" : m.path("type").asString();
                if (type.equals("started")) {
                    String warning = devTokenWarning();
                    report(AUTH, warning == null ? Status.OK : Status.WARN, "accepted " + tokenSource + describeClaims(claims)
                            + " in the Authorization header", warning);
                    keep = true;
                    return new Session(ws, m.path("sessionId").asString());
                }
                if (type.equals("error")) {
                    String code = m.path("code").asString();
                    if (code.equals("UNAUTHORIZED")) {
                        report(AUTH, Status.FAIL, "UNAUTHORIZED: " + DevTokens.abbreviate(m.path("message").asString(), 160)
                                + describeClaims(claims), tokenFix(claims));
                        report(ROUND_TRIP, Status.SKIP, "needs a valid token", null);
                    } else {
                        report(AUTH, Status.OK, "token accepted (" + tokenSource + ")", null);
                        report(ROUND_TRIP, Status.FAIL, "'start' refused: " + code + " " + m.path("message").asString(), errorFix(code));
                    }
                    return null;
                }
            }
        } catch (IOException e) {
            report(AUTH, Status.FAIL, "the socket broke: " + e.getMessage(), "see the upgrade check");
            report(ROUND_TRIP, Status.SKIP, "no socket", null);
            return null;
        } finally {
            if (!keep) {
                ws.close();
            }
        }
    }

    private String devTokenWarning() {
        if (tokenSource != null && tokenSource.startsWith("a development token")) {
            try {
                if (!address.isLoopbackAddress() && !address.isSiteLocalAddress()) {
                    return "WARNING: a public server issues development tokens: run it without the local profile and with AUTH_JWT_SECRET";
                }
            } catch (RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    private static String describeClaims(JsonNode claims) {
        if (claims == null) {
            return " (not a JWT)";
        }
        StringBuilder s = new StringBuilder();
        if (claims.has("sub")) {
            s.append(" sub=").append(claims.path("sub").asString());
        }
        if (claims.has("exp")) {
            Instant exp = Instant.ofEpochSecond(claims.path("exp").asLong());
            s.append(exp.isBefore(Instant.now()) ? " EXPIRED " : " expires ").append(DATE.format(exp));
        }
        if (claims.has("iss")) {
            s.append(" iss=").append(claims.path("iss").asString());
        }
        if (claims.has("aud")) {
            s.append(" aud=").append(claims.path("aud").toString().replace("\"", ""));
        }
        return s.length() == 0 ? "" : " (" + s.toString().strip() + ")";
    }

    private static String tokenFix(JsonNode claims) {
        if (claims == null) {
            return "the token must be a JWT (header.payload.signature) from your login service";
        }
        if (claims.has("exp") && Instant.ofEpochSecond(claims.path("exp").asLong()).isBefore(Instant.now())) {
            return "the token has expired: get a fresh one (clients should refresh before exp)";
        }
        return "the token's signature, issuer or audience do not match this server: the issuer must sign with the same "
                + "AUTH_JWT_SECRET (HS256) and set iss=AUTH_JWT_ISSUER, aud=AUTH_JWT_AUDIENCE of ingest-service";
    }

    private static String errorFix(String code) {
        switch (code) {
            case "RATE_LIMITED":
                return "this user has too many open sessions (INGEST_MAX_SESSIONS_PER_USER): close some, or use another --user";
            case "OVERLOADED":
                return "ingest-service cannot publish to Kafka: check KAFKA_BOOTSTRAP_SERVERS and the brokers";
            case "ENGINE_UNAVAILABLE":
                return "the asr-worker cannot run its engine: see its log (ASR_ENGINE, ASR_VOSK_MODEL_PATH, TENCENT_*)";
            case "UNSUPPORTED_FORMAT":
                return "the server does not take 16 kHz PCM: an incompatible server version?";
            default:
                return "see the ingest-service and asr-worker logs";
        }
    }

    private void roundTrip(RawWebSocket ws, String sessionId) throws InterruptedException {
        Audio.Pcm clip;
        String expected;
        try {
            if (options.clip != null) {
                clip = Audio.fromWav(Files.readAllBytes(options.clip));
                expected = null;
            } else {
                try (InputStream in = Doctor.class.getResourceAsStream("/doctor-clip.wav")) {
                    clip = Audio.fromWav(in.readAllBytes());
                }
                expected = "what time is it";
            }
        } catch (IOException | Audio.UnsupportedAudioException e) {
            report(ROUND_TRIP, Status.SKIP, "cannot read the clip: " + e.getMessage(), null);
            return;
        }
        long t0 = System.nanoTime();
        long firstResult = -1;
        try {
            byte[] pcm = clip.data();
            for (int off = 0, n = 0; off < pcm.length; off += Audio.CHUNK_BYTES, n++) {
                ws.sendBinary(java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + Audio.CHUNK_BYTES)));
                long due = t0 + (n + 1) * 50_000_000L; // twice real time (servers refuse audio much faster than real time)
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            ws.sendText("{\"type\":\"end\"}");
        } catch (IOException e) {
            report(ROUND_TRIP, Status.FAIL, "the connection broke while sending audio: " + e.getMessage(),
                    "a proxy limits the request body or frame size: allow WebSocket frames of 64 KB");
            return;
        }
        long endSent = System.nanoTime();
        List<String> finals = new ArrayList<>();
        Duration wait = options.timeout.multipliedBy(3);
        long deadline = endSent + wait.toNanos();
        while (true) {
            RawWebSocket.Event e = ws.next(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                report(ROUND_TRIP, Status.FAIL, "session " + sessionId + " started but no 'completed' within " + wait.toSeconds()
                                + " s of the end (" + finals.size() + " final(s) so far)",
                        "no asr-worker processes the audio, or no result-service delivers: check that both run and reach Kafka "
                                + "(asr.worker.* and result.* metrics, their logs)");
                return;
            }
            if (e.kind() != RawWebSocket.Event.Kind.TEXT) {
                report(ROUND_TRIP, Status.FAIL, "the socket closed mid-session (" + closeText(e) + ")",
                        "see the ingest-service log; a proxy may limit frame sizes or session length");
                return;
            }
            JsonNode m = parse(e.text());
            String type = m == null ? "" : m.path("type").asString();
            if ((type.equals("partial") || type.equals("final")) && firstResult < 0) {
                firstResult = System.nanoTime();
            }
            if (type.equals("final")) {
                finals.add(m.path("text").asString());
            } else if (type.equals("error")) {
                String code = m.path("code").asString();
                report(ROUND_TRIP, Status.FAIL, code + ": " + m.path("message").asString(), errorFix(code));
                return;
            } else if (type.equals("completed")) {
                String text = m.path("text").asString();
                String detail = String.format(Locale.ROOT, "\"%s\" (%d final(s); %.1f s of audio; first result %s after the first audio; "
                                + "completed %d ms after the end)", text, finals.size(), clip.seconds(),
                        firstResult < 0 ? "never" : (firstResult - t0) / 1_000_000 + " ms", (System.nanoTime() - endSent) / 1_000_000);
                if (text.isBlank()) {
                    report(ROUND_TRIP, Status.WARN, detail + "; nothing was recognised",
                            "the worker's model may not match the language (ASR_VOSK_MODEL_PATH), or the audio does not reach it intact");
                } else if (expected != null && !shareWords(expected, text)) {
                    report(ROUND_TRIP, Status.WARN, detail + "; expected \"" + expected + "\"",
                            "the worker's model may not match the clip's language (English)");
                } else {
                    report(ROUND_TRIP, Status.OK, detail, null);
                }
                return;
            }
        }
    }

    private static boolean shareWords(String expected, String got) {
        Set<String> words = Set.of(got.toLowerCase(Locale.ROOT).split("\\s+"));
        for (String w : expected.split(" ")) {
            if (words.contains(w)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- idle timeout

    /** Holds a socket open without sending anything, as a user who pauses; anything that cuts it is a timeout. */
    private Check idleHold(boolean withToken) {
        long t0 = System.nanoTime();
        try (RawWebSocket ws = openSocket(withToken)) {
            long deadline = t0 + options.idle.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    int pings = ws.pingsReceived.get();
                    String detail = "a quiet socket stayed open " + options.idle.toSeconds() + " s; "
                            + (pings > 0 ? pings + " heartbeat ping(s) from the server" : "no heartbeat ping in that time");
                    if (pings == 0 && options.idle.toSeconds() >= 60) {
                        return new Check(IDLE, Status.WARN, detail,
                                "the server sends pings every INGEST_HEARTBEAT_INTERVAL (25 s): is it lower than the proxy's idle timeout?");
                    }
                    return new Check(IDLE, Status.OK, detail, null);
                }
                RawWebSocket.Event e = ws.next(left, TimeUnit.NANOSECONDS);
                if (e == null || e.kind() == RawWebSocket.Event.Kind.TEXT) {
                    continue;
                }
                double after = (e.atNanos() - t0) / 1e9;
                if (e.kind() == RawWebSocket.Event.Kind.CLOSE && e.closeCode() == 1008 && !withToken) {
                    return new Check(IDLE, Status.SKIP, String.format(Locale.ROOT,
                            "the server closes sockets without a valid token after %.1f s (INGEST_AUTH_TIMEOUT), so a quiet one "
                                    + "cannot be held", after), "pass --token to measure idle timeouts");
                }
                if (e.kind() == RawWebSocket.Event.Kind.CLOSE) {
                    return new Check(IDLE, Status.FAIL, String.format(Locale.ROOT,
                            "the server closed a quiet socket after %.1f s (%d %s)", after, e.closeCode(), e.closeReason()),
                            e.closeCode() == 1008 ? "the socket was refused: see the authentication check"
                                    : "the server itself ends idle sockets: see the ingest-service log");
                }
                return new Check(IDLE, Status.FAIL, String.format(Locale.ROOT,
                        "a quiet socket was cut after %.1f s without a close frame, after %d heartbeat ping(s): an idle "
                                + "timeout between client and server", after, ws.pingsReceived.get()),
                        "raise the proxy's idle timeout above 60 s (nginx: proxy_read_timeout 3600s; proxy_send_timeout 3600s; "
                                + "load balancers: idle timeout), or lower INGEST_HEARTBEAT_INTERVAL below it");
            }
        } catch (IOException e) {
            return new Check(IDLE, Status.FAIL, "could not open a socket to hold: " + e.getMessage(), "see the upgrade check");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(IDLE, Status.SKIP, "interrupted", null);
        }
    }

    // ---------------------------------------------------------------- output

    private void report(String name, Status status, String detail, String fix) {
        Check c = new Check(name, status, detail, fix);
        results.add(c);
        out.printf("%s %-21s %s%n", status.label, name, detail == null ? "" : detail);
        if (fix != null && (status == Status.FAIL || status == Status.WARN || status == Status.SKIP || fix.startsWith("WARNING"))) {
            out.printf("       %-21s fix: %s%n", "", fix);
        }
        out.flush();
    }

    private void skipRemaining(String why) {
        List<String> done = results.stream().map(Check::name).toList();
        for (String name : ORDER) {
            if (!done.contains(name)) {
                report(name, Status.SKIP, why, null);
            }
        }
    }

    private static String closeText(RawWebSocket.Event e) {
        if (e.kind() == RawWebSocket.Event.Kind.CLOSE) {
            return "close " + e.closeCode() + (e.closeReason() == null || e.closeReason().isEmpty() ? "" : " " + e.closeReason());
        }
        return "connection cut: " + e.text();
    }

    private static JsonNode parse(String json) {
        try {
            return DevTokens.JSON.readTree(json);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String jsonMessage(String body) {
        JsonNode n = parse(body);
        if (n == null) {
            return DevTokens.abbreviate(body, 120);
        }
        String m = n.path("message").asString();
        return m.isEmpty() ? DevTokens.abbreviate(body, 160) : (n.path("code").asString() + " " + m).strip();
    }

    private static String stripHtml(String body) {
        return body.replaceAll("(?s)<head>.*?</head>", " ").replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ").strip();
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private int timeoutMs() {
        return (int) options.timeout.toMillis();
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
