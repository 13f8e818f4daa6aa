package io.sluice.credentials;

import java.util.Optional;
import java.util.Set;

/**
 * Where Sluice learns a user's password: the one place the rest of Sluice asks, whether the answer comes
 * from configuration or a secret store.
 */
public interface CredentialSource {

    /** The user's current credential, or empty for a user Sluice does not serve. */
    Optional<Credential> lookup(String username);

    /** All users Sluice serves. */
    Set<String> users();
}
