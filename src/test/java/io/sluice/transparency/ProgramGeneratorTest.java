package io.sluice.transparency;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What the generator promises about the programs it writes, checked over many of them. */
class ProgramGeneratorTest {
    /** A statement that fixes the session's clock and nothing else, so it cannot fail half-way. */
    private static final Pattern LONE_FIXED_TIMESTAMP =
            Pattern.compile("SET (SESSION |@@|@@session\\.|LOCAL )?timestamp :?= (1000000000|1700000000\\.5)");

    /**
     * A program reads the wall clock only while it has fixed it: direct and through Sluice the two runs happen at
     * different moments. A SET of two variables may fail whole (a variable the MySQL 8 face does not know), so only
     * a SET of the clock alone counts, and nothing after it may have put the clock back. Programs 708 and 1022 of
     * seed 101 read NOW() after a SET of two had failed on the MySQL 8 face.
     */
    @Test
    void theWallClockIsReadOnlyAfterAStatementThatSurelyFixedIt() {
        List<String> unfixed = new ArrayList<>();
        for (long seed : new long[] {101, 20261205}) {
            for (int index = 0; index < 3000; index++) {
                Program program = ProgramGenerator.generate(seed, index);
                boolean fixed = false;
                for (Step step : program.steps()) {
                    String text = step.text();
                    if (step instanceof Step.ResetConnection || step instanceof Step.ChangeUser || step instanceof Step.Reconnect) {
                        fixed = false;
                    } else if (LONE_FIXED_TIMESTAMP.matcher(text).matches()) {
                        fixed = true;
                    } else if (text.matches("(?s).*timestamp :?= DEFAULT.*")) {
                        fixed = false;
                    } else if (text.contains("NOW()") && !fixed) {
                        unfixed.add(seed + "/" + index);
                    }
                }
            }
        }
        assertThat(unfixed).as("programs reading NOW() with the clock not surely fixed").isEmpty();
    }
}
