package com.realtimevoice.ingest.stream;

/** Lets the fuzz tests in another package reach the package-private parser. */
public final class ClientMessageFuzzAccess {

    private ClientMessageFuzzAccess() {
    }

    public static Object parse(String text) {
        return ClientMessage.parse(text);
    }
}
