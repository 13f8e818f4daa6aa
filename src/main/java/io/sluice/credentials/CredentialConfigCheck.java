package io.sluice.credentials;

import io.sluice.config.SluiceConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Checks the credential settings before anything is loaded, and reports every problem at once. */
final class CredentialConfigCheck {
    /** How long RDS accepts an IAM authentication token after it is signed (the SDK signs X-Amz-Expires=900). */
    static final Duration IAM_TOKEN_LIFETIME = Duration.ofMinutes(15);

    private CredentialConfigCheck() {
    }

    /** @throws IllegalStateException naming every problem found */
    static void validate(SluiceConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid credentials configuration:\n  - " + String.join("\n  - ", problems));
        }
    }

    static List<String> problems(SluiceConfig config) {
        List<String> problems = new ArrayList<>();
        new TreeMap<>(config.users()).forEach((name, user) -> {
            String prefix = "sluice.users.\"" + name + "\"";
            if (user.password().isPresent() && user.secretId().isPresent()) {
                problems.add(prefix + " has both password and secret-id: set only one");
            } else if (user.password().isEmpty() && user.secretId().isEmpty()) {
                problems.add(prefix + " has neither password nor secret-id: set one");
            }
            if (user.iamAuth()) {
                if (config.aws().region().isEmpty()) {
                    problems.add(prefix + ".iam-auth needs sluice.aws.region: the region is part of the token's signature");
                }
                if (config.backend().host().isEmpty() && user.secretId().isEmpty()) {
                    problems.add(prefix + ".iam-auth needs the database host, which the token is signed for: set sluice.backend.host"
                            + " (or take the user's credentials from a secret-id whose secret names the host)");
                }
            }
        });
        Duration renewAfter = config.iam().renewAfter();
        if (renewAfter.isNegative() || renewAfter.isZero() || renewAfter.compareTo(IAM_TOKEN_LIFETIME) >= 0) {
            problems.add("sluice.iam.renew-after must be more than 0 and less than " + IAM_TOKEN_LIFETIME.toMinutes()
                    + " minutes, the tokens' lifetime; it is " + renewAfter);
        }
        if (config.secrets().refreshInterval().isNegative() || config.secrets().refreshInterval().isZero()) {
            problems.add("sluice.secrets.refresh-interval must be more than 0; it is " + config.secrets().refreshInterval());
        }
        if (config.secrets().previousPasswordGrace().isNegative()) {
            problems.add("sluice.secrets.previous-password-grace must not be negative; it is " + config.secrets().previousPasswordGrace());
        }
        return problems;
    }
}
