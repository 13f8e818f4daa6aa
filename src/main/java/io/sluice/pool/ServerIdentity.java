package io.sluice.pool;

/**
 * How the backend introduces itself; Sluice introduces itself the same way, since clients adapt to the server version.
 *
 * @param authPlugin the authentication plugin the server proposes in its greeting (caching_sha2_password for
 *                   MySQL 8, mysql_native_password for MariaDB and MySQL 5.7)
 */
public record ServerIdentity(String version, int collationId, String authPlugin) {
    /** MariaDB writes its name into every version string it announces ("10.11.6-MariaDB-0+deb12u1"). */
    public boolean isMariaDb() {
        return version.contains("MariaDB");
    }
}
