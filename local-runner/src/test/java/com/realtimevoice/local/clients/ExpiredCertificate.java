package com.realtimevoice.local.clients;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A self-signed certificate for localhost that expired in 2021, made with openssl (`openssl ca` sets past dates). */
public final class ExpiredCertificate {

    private ExpiredCertificate() {}

    /** Writes key.pem and cert.pem into {@code dir}. */
    public static void create(Path openssl, Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ca.cnf"), """
                [ ca ]
                default_ca = doctor
                [ doctor ]
                dir = .
                database = index.txt
                new_certs_dir = .
                serial = serial
                default_md = sha256
                policy = any
                unique_subject = no
                [ any ]
                commonName = supplied
                [ req ]
                distinguished_name = dn
                prompt = no
                [ dn ]
                CN = localhost
                [ ext ]
                subjectAltName = DNS:localhost
                basicConstraints = CA:FALSE
                """);
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "01\n");
        run(
                dir,
                openssl.toString(),
                "req",
                "-new",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "key.pem",
                "-out",
                "csr.pem",
                "-config",
                "ca.cnf");
        run(
                dir,
                openssl.toString(),
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                "-selfsign",
                "-keyfile",
                "key.pem",
                "-in",
                "csr.pem",
                "-out",
                "cert.pem",
                "-startdate",
                "20200101000000Z",
                "-enddate",
                "20210101000000Z",
                "-extfile",
                "ca.cnf",
                "-extensions",
                "ext",
                "-notext");
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }
}
