package com.realtimevoice.tools.doctor;

import static com.realtimevoice.tools.doctor.Texts.DATE;

import com.realtimevoice.tools.Endpoints;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A TLS handshake a phone would accept: a current protocol and a valid certificate for the host. When the certificate
 * is the problem, it says exactly what is wrong and lets the checks after it go on without validation.
 */
final class TlsCheck extends Check {

    static final String NAME = "TLS";

    TlsCheck() {
        super(NAME);
    }

    @Override
    boolean run(Context ctx) {
        Endpoints ep = ctx.ep();
        if (!ep.secure()) {
            ctx.report(
                    NAME,
                    Status.SKIP,
                    "plain " + (ep.stream().getScheme()) + "://: fine for local tests; mini-programs need "
                            + "wss:// with a trusted certificate on a whitelisted domain",
                    null);
            return true;
        }
        SSLSocketFactory strict;
        try {
            strict = SSLContext.getDefault().getSocketFactory();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (SSLSocket s = ctx.target.handshake(strict, true, null)) {
            ctx.target.tlsFactory = strict;
            String protocol = s.getSession().getProtocol();
            X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
            long days = Duration.between(Instant.now(), leaf.getNotAfter().toInstant())
                    .toDays();
            String detail = protocol + ", " + Certificates.subject(leaf) + ", issued by " + Certificates.issuer(leaf)
                    + ", valid until " + DATE.format(leaf.getNotAfter().toInstant()) + " (" + days + " days)";
            if (protocol.equals("TLSv1") || protocol.equals("TLSv1.1") || protocol.startsWith("SSL")) {
                ctx.report(
                        NAME,
                        Status.FAIL,
                        detail + "; " + protocol + " is too old",
                        "WeChat and current browsers require TLS 1.2 or 1.3: ssl_protocols TLSv1.2 TLSv1.3;");
            } else if (days < 14) {
                ctx.report(
                        NAME,
                        Status.WARN,
                        detail + "; expires soon",
                        "renew the certificate (certbot renew, or your CA) and reload the proxy");
            } else if (!supports(ctx.target, strict, "TLSv1.2")) {
                ctx.report(
                        NAME,
                        Status.WARN,
                        detail + "; TLS 1.2 is not offered",
                        "older phones and WeChat versions need TLS 1.2: ssl_protocols TLSv1.2 TLSv1.3;");
            } else {
                ctx.report(NAME, Status.OK, detail, null);
            }
            return true;
        } catch (SSLHandshakeException e) {
            return analyseUntrusted(ctx, e);
        } catch (SSLException e) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    "no TLS handshake with " + ep.authority() + ": " + e.getMessage(),
                    plainHttpHint(e) + "the listener must speak TLS 1.2+ (nginx: listen 443 ssl; ssl_certificate ...)");
            return false;
        } catch (IOException e) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    "the connection failed during the TLS handshake: " + e,
                    "the listener must speak TLS 1.2+ (nginx: listen 443 ssl; ssl_certificate ...; ssl_protocols TLSv1.2 TLSv1.3;)");
            return false;
        }
    }

    private static String plainHttpHint(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Unsupported or unrecognized SSL message") || m.contains("plaintext")
                ? "the port answers plain HTTP, not TLS: use http:// / ws:// for it, or enable TLS on the listener; "
                : "";
    }

    /** The normal handshake failed: look at the certificate without trusting it, and say exactly what is wrong. */
    private static boolean analyseUntrusted(Context ctx, SSLHandshakeException original) {
        Endpoints ep = ctx.ep();
        SSLSocketFactory trustAll = Certificates.trustAllFactory();
        try (SSLSocket s = ctx.target.handshake(trustAll, false, null)) {
            Certificate[] chain = s.getSession().getPeerCertificates();
            X509Certificate leaf = (X509Certificate) chain[0];
            Instant now = Instant.now();
            List<String> problems = new ArrayList<>();
            List<String> fixes = new ArrayList<>();
            if (now.isAfter(leaf.getNotAfter().toInstant())) {
                long ago = Duration.between(leaf.getNotAfter().toInstant(), now).toDays();
                problems.add("certificate expired on "
                        + DATE.format(leaf.getNotAfter().toInstant()) + " (" + ago + " days ago)");
                fixes.add("renew the certificate (certbot renew, or your CA) and reload the proxy (nginx -s reload)");
            }
            if (now.isBefore(leaf.getNotBefore().toInstant())) {
                problems.add("certificate not valid before "
                        + DATE.format(leaf.getNotBefore().toInstant()));
                fixes.add("check the server's and this machine's clocks");
            }
            List<String> names = Certificates.subjectNames(leaf);
            if (!Certificates.hostnameMatches(ep.host(), names)) {
                problems.add("certificate is for " + names + ", not " + ep.host());
                fixes.add("get a certificate whose subjectAltName covers " + ep.host());
            }
            boolean selfSigned = leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal());
            if (selfSigned) {
                problems.add("self-signed (" + Certificates.subject(leaf) + ")");
                fixes.add(
                        "phones, WeChat and browsers reject self-signed certificates: use one from a public CA (e.g. Let's Encrypt)");
            } else if (problems.isEmpty()) {
                problems.add("chain not trusted: the server sends " + chain.length + " certificate(s), issued by "
                        + Certificates.issuer(leaf) + " (" + rootCause(original) + ")");
                fixes.add("serve the full chain, leaf first then intermediates (nginx: ssl_certificate fullchain.pem)");
            }
            String protocol = s.getSession().getProtocol();
            ctx.report(
                    NAME,
                    Status.FAIL,
                    protocol + ": " + String.join("; ", problems)
                            + "  [the checks below go on without certificate validation]",
                    String.join("; ", fixes));
            ctx.target.tlsFactory = trustAll;
            ctx.target.tlsUnverified = true;
            return true;
        } catch (IOException e) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    "no TLS handshake with " + ep.authority() + ": " + rootCause(original),
                    plainHttpHint(original) + "the listener must speak TLS 1.2+ with a certificate "
                            + "(nginx: listen 443 ssl; ssl_certificate fullchain.pem; ssl_protocols TLSv1.2 TLSv1.3;)");
            return false;
        }
    }

    private static boolean supports(Target target, SSLSocketFactory factory, String protocol) {
        try (SSLSocket s = target.handshake(factory, true, new String[] {protocol})) {
            return protocol.equals(s.getSession().getProtocol());
        } catch (IOException e) {
            return false;
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
