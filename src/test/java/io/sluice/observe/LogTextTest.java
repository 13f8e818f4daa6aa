package io.sluice.observe;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Client-chosen text in a log line stays on that line and reads as what it is. */
class LogTextTest {

    @Test
    void plainNamesAreUnchanged() {
        assertThat(LogText.of("app_user-1")).isEqualTo("app_user-1");
        assertThat(LogText.of("ünïcødé 用户")).isEqualTo("ünïcødé 用户");
    }

    @Test
    void lineBreaksCannotForgeALogLine() {
        String forged = "app' from 10.0.0.1 (wrong password)\n2026-01-01 INFO client 7: access granted\r";
        assertThat(LogText.of(forged)).doesNotContain("\n", "\r")
                .isEqualTo("app' from 10.0.0.1 (wrong password)\\x0a2026-01-01 INFO client 7: access granted\\x0d");
    }

    @Test
    void otherControlsAreShownAsEscapes() {
        assertThat(LogText.of("a\u0000b\u001b[31mc\u007f\u0085d")).isEqualTo("a\\x00b\\x1b[31mc\\x7f\\x85d");
        assertThat(LogText.of("x\u2028y\u202ez\u2066")).isEqualTo("x\\u2028y\\u202ez\\u2066");
    }

    @Test
    void aBackslashIsDoubledSoThatEscapesAreUnambiguous() {
        assertThat(LogText.of("a\\x0ab")).isEqualTo("a\\\\x0ab");
    }

    @Test
    void longTextIsCut() {
        String shown = LogText.of("u".repeat(16_000));
        assertThat(shown).startsWith("u".repeat(LogText.MAX_CHARS)).endsWith("...(15872 more characters)");
    }
}
