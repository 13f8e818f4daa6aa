package io.sluice.credentials;

import io.sluice.config.SluiceConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Passwords given in configuration ({@code sluice.users."<name>".password}). */
@ApplicationScoped
public class ConfiguredCredentials implements CredentialSource {
    private final Map<String, Credential> byUser = new TreeMap<>();

    public ConfiguredCredentials(SluiceConfig config) {
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
        return byUser.keySet();
    }
}
