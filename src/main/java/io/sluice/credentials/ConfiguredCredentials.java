package io.sluice.credentials;

import io.sluice.config.SluiceConfig;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Passwords given in configuration ({@code sluice.users."<name>".password}); the backend user has the same name. */
final class ConfiguredCredentials implements CredentialSource {
    private final Map<String, Credential> byUser = new TreeMap<>();

    ConfiguredCredentials(SluiceConfig config) {
        config.users().forEach((name, user) ->
                user.password().ifPresent(password -> byUser.put(name, Credential.of(name, password))));
    }

    @Override
    public List<Credential> clientCredentials(String username) {
        Credential c = byUser.get(username);
        return c == null ? List.of() : List.of(c);
    }

    @Override
    public Optional<Credential> backendLogin(String username) {
        return Optional.ofNullable(byUser.get(username));
    }

    @Override
    public Set<String> users() {
        return Collections.unmodifiableSet(byUser.keySet());
    }

    @Override
    public Map<String, CredentialStatus> status() {
        Map<String, CredentialStatus> status = new TreeMap<>();
        byUser.keySet().forEach(user -> status.put(user, CredentialStatus.configured("config")));
        return status;
    }
}
