package com.realtimevoice.ingest.recognize;

/** Lets the fuzz tests in another package reach the package-private upload parser. */
public final class UploadedAudioFuzzAccess {

    /** The parser's documented refusal. */
    public static final class Documented extends Exception {
        Documented(Throwable cause) {
            super(cause);
        }
    }

    private UploadedAudioFuzzAccess() {}

    public static void parse(byte[] bytes, String filename) throws Documented {
        try {
            UploadedAudio.parse(bytes, filename, null);
        } catch (UploadedAudio.UnsupportedAudioException e) {
            throw new Documented(e);
        }
    }
}
