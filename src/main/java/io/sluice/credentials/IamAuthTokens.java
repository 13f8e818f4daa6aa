package io.sluice.credentials;

import software.amazon.awssdk.services.rds.RdsUtilities;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RDS IAM authentication tokens, reused until {@code sluice.iam.renew-after}. A token is a SigV4-presigned
 * {@code connect} request for one database user on one endpoint, signed locally (no call to AWS) with the credentials
 * of the default chain; RDS accepts it for 15 minutes after signing, and only at login, so connections opened with
 * it stay up after it expires. Signing is cheap, but the credential chain may have to fetch fresh role credentials,
 * which is why a token is reused rather than signed per connection.
 */
final class IamAuthTokens {

    /** Signs a token for {@code dbUser} at {@code endpoint}; may throw the SDK's exception when no AWS credentials are found. */
    @FunctionalInterface
    interface Signer {
        String sign(HostAndPort endpoint, String dbUser);
    }

    /** Signs with the AWS SDK; the region and credentials are {@code rds}'s. */
    static Signer signer(RdsUtilities rds) {
        return (endpoint, dbUser) -> rds.generateAuthenticationToken(b -> b.hostname(endpoint.host()).port(endpoint.port()).username(dbUser));
    }

    private record Key(HostAndPort endpoint, String dbUser) {
    }

    private record Token(String value, Instant signedAt) {
        @Override
        public String toString() {
            return "Token[signed " + signedAt + ", value=<redacted>]";
        }
    }

    private final Signer signer;
    private final Duration renewAfter;
    private final Clock clock;
    private final Map<Key, Token> tokens = new ConcurrentHashMap<>();

    IamAuthTokens(Signer signer, Duration renewAfter, Clock clock) {
        this.signer = signer;
        this.renewAfter = renewAfter;
        this.clock = clock;
    }

    /** A token younger than {@code renew-after}, signed now if there is none. */
    String token(HostAndPort endpoint, String dbUser) {
        Instant now = clock.instant();
        return tokens.compute(new Key(endpoint, dbUser), (key, token) ->
                token != null && now.isBefore(token.signedAt().plus(renewAfter))
                        ? token
                        : new Token(signer.sign(key.endpoint(), key.dbUser()), now)).value();
    }

    /** Drops {@code dbUser}'s tokens, so that the next login signs a new one (after the database refused one). */
    void forget(String dbUser) {
        tokens.keySet().removeIf(key -> key.dbUser().equals(dbUser));
    }
}
