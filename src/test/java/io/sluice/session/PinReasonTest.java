package io.sluice.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Labels are what operators write in sluice.pinning.exemptions and what metrics show, so they must round-trip. */
class PinReasonTest {

    @ParameterizedTest
    @EnumSource(PinReason.class)
    void labelRoundTrips(PinReason reason) {
        assertThat(PinReason.fromLabel(reason.label())).isSameAs(reason);
    }

    @ParameterizedTest
    @EnumSource(PinReason.class)
    void labelIsLowerCaseWithDashes(PinReason reason) {
        assertThat(reason.label()).matches("[a-z]+(-[a-z]+)*")
                .isEqualTo(reason.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    @Test
    void knownLabels() {
        assertThat(PinReason.USER_VARIABLE.label()).isEqualTo("user-variable");
        assertThat(PinReason.TEMPORARY_TABLE.label()).isEqualTo("temporary-table");
        assertThat(PinReason.NAMED_LOCK.label()).isEqualTo("named-lock");
        assertThat(PinReason.LOCK_TABLES.label()).isEqualTo("lock-tables");
        assertThat(PinReason.TEXT_PREPARED_STATEMENT.label()).isEqualTo("text-prepared-statement");
        assertThat(PinReason.FOUND_ROWS.label()).isEqualTo("found-rows");
        assertThat(PinReason.ROW_COUNT.label()).isEqualTo("row-count");
        assertThat(PinReason.XA_TRANSACTION.label()).isEqualTo("xa-transaction");
        assertThat(PinReason.HANDLER.label()).isEqualTo("handler");
        assertThat(PinReason.CONNECTION_ID.label()).isEqualTo("connection-id");
        assertThat(PinReason.SESSION_TRACKING.label()).isEqualTo("session-tracking");
        assertThat(PinReason.UNTRACKED_STATE.label()).isEqualTo("untracked-state");
    }

    @Test
    void labelsAreDistinct() {
        assertThat(Arrays.stream(PinReason.values()).map(PinReason::label)).doesNotHaveDuplicates();
    }

    /** Configuration is written by people: surrounding spaces, upper case and the enum's own spelling are accepted. */
    @Test
    void fromLabelIsLenient() {
        assertThat(PinReason.fromLabel(" user-variable ")).isSameAs(PinReason.USER_VARIABLE);
        assertThat(PinReason.fromLabel("Temporary-Table")).isSameAs(PinReason.TEMPORARY_TABLE);
        assertThat(PinReason.fromLabel("NAMED_LOCK")).isSameAs(PinReason.NAMED_LOCK);
    }

    @Test
    void unknownLabelIsRefused() {
        assertThatThrownBy(() -> PinReason.fromLabel("no-such-reason")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PinReason.fromLabel("")).isInstanceOf(IllegalArgumentException.class);
    }
}
