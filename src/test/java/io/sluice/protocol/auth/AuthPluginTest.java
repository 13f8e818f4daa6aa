package io.sluice.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuthPluginTest {

    @Test
    void byNameKnowsTheTwoScramblePlugins() {
        assertThat(AuthPlugin.byName("mysql_native_password")).containsSame(NativePassword.INSTANCE);
        assertThat(AuthPlugin.byName("caching_sha2_password")).containsSame(CachingSha2Password.INSTANCE);
    }

    @Test
    void byNameOfOtherPlugins() {
        // plugins that are not a scramble answer: Sluice cannot verify them
        assertThat(AuthPlugin.byName("sha256_password")).isEmpty();
        assertThat(AuthPlugin.byName("mysql_clear_password")).isEmpty();
        assertThat(AuthPlugin.byName("mysql_old_password")).isEmpty();
        assertThat(AuthPlugin.byName("")).isEmpty();
        assertThat(AuthPlugin.byName(null)).isEmpty();
    }

    @Test
    void verifyComparesTheWholeAnswer() {
        byte[] scramble = new byte[20];
        byte[] password = "secret".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (AuthPlugin plugin : new AuthPlugin[] {NativePassword.INSTANCE, CachingSha2Password.INSTANCE}) {
            byte[] answer = plugin.expectedResponse(scramble, password);
            assertThat(plugin.verify(scramble, answer, password)).isTrue();
            byte[] flipped = answer.clone();
            flipped[flipped.length - 1] ^= 1;
            assertThat(plugin.verify(scramble, flipped, password)).isFalse();
            byte[] longer = java.util.Arrays.copyOf(answer, answer.length + 1);
            assertThat(plugin.verify(scramble, longer, password)).isFalse();
        }
    }
}
