package com.realtimevoice.tools.doctor;

import java.net.Socket;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** Reading a server certificate the way the TLS check reports it, and a TLS factory that trusts any, to look at one. */
final class Certificates {

    private Certificates() {}

    static SSLSocketFactory trustAllFactory() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(
                    null,
                    new TrustManager[] {
                        new X509ExtendedTrustManager() {
                            @Override
                            public void checkClientTrusted(X509Certificate[] c, String a, Socket s) {}

                            @Override
                            public void checkServerTrusted(X509Certificate[] c, String a, Socket s) {}

                            @Override
                            public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {}

                            @Override
                            public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}

                            @Override
                            public void checkClientTrusted(X509Certificate[] c, String a) {}

                            @Override
                            public void checkServerTrusted(X509Certificate[] c, String a) {}

                            @Override
                            public X509Certificate[] getAcceptedIssuers() {
                                return new X509Certificate[0];
                            }
                        }
                    },
                    new SecureRandom());
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
            if (name.startsWith("*.")
                    && h.indexOf('.') > 0
                    && h.substring(h.indexOf('.')).equals(name.substring(1))) {
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

    static String subject(X509Certificate cert) {
        String cn = commonName(cert);
        return cn == null ? cert.getSubjectX500Principal().getName() : "CN=" + cn;
    }

    static String issuer(X509Certificate cert) {
        String dn = cert.getIssuerX500Principal().getName();
        for (String part : dn.split(",")) {
            if (part.trim().startsWith("CN=") || part.trim().startsWith("O=")) {
                return part.trim();
            }
        }
        return dn;
    }
}
