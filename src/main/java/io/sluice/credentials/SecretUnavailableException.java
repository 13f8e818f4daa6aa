package io.sluice.credentials;

/** A secret could not be read or is not an RDS database secret. The message is safe to log: it never holds the secret. */
final class SecretUnavailableException extends Exception {
    SecretUnavailableException(String message) {
        super(message);
    }
}
