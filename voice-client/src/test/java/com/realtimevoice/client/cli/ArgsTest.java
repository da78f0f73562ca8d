package com.realtimevoice.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Both shapes of the one parser: the CLI's declared options and the bench's open {@code --name value} options. */
class ArgsTest {

    @Test
    void declaredOptionsTakePositionalsFlagsAndBothValueSpellings() throws Exception {
        Args a = Args.parse(
                new String[] {"--url", "http://x", "-token=t", "in.wav", "--all", "--", "--not-an-option"},
                Set.of("url", "token"),
                Set.of("all", "h"));
        assertThat(a.get("url", null)).isEqualTo("http://x");
        assertThat(a.get("token", null)).isEqualTo("t");
        assertThat(a.flag("all")).isTrue();
        assertThat(a.flag("h")).isFalse();
        assertThat(a.positional()).isEqualTo(List.of("in.wav", "--not-an-option"));
    }

    @Test
    void declaredOptionsRefuseUnknownOnesAndMissingValues() {
        assertThatThrownBy(() -> Args.parse(new String[] {"--nope"}, Set.of(), Set.of()))
                .hasMessage("unknown option --nope");
        assertThatThrownBy(() -> Args.parse(new String[] {"--url"}, Set.of("url"), Set.of()))
                .hasMessage("--url needs a value");
    }

    @Test
    void openOptionsEachTakeAValueAndRefuseWords() throws Exception {
        Args a = Args.parse(new String[] {"--rate", "20", "--dry=true", "--help"});
        assertThat(a.integer("rate", 1)).isEqualTo(20);
        assertThat(a.get("dry", "false")).isEqualTo("true");
        assertThat(a.has("help")).isTrue();
        assertThat(a.number("missing", 1.5)).isEqualTo(1.5);
        assertThatThrownBy(() -> Args.parse(new String[] {"word"})).hasMessage("unexpected argument 'word'");
        assertThatThrownBy(() -> Args.parse(new String[] {"--rate", "x"}).number("rate", 0))
                .hasMessage("--rate must be a number, got 'x'");
    }

    @Test
    void forToolPrintsUsageForHelpAndErrors() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Args.forTool(new String[] {"--help"}, "usage\n", o, e).exitCode())
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("usage\n");
        Args.ForTool bad = Args.forTool(new String[] {"--rate"}, "usage\n", o, e);
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.args()).isNull();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("--rate needs a value\nusage\n");
    }
}
