package io.sluice.credentials;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RdsSecretTest {

    @Test
    void readsWhatRdsWrites() {
        RdsSecret secret = RdsSecret.parse("""
                {"username":"admin","password":"p\\"w","engine":"mysql","host":"db.example","port":3306,"dbname":"app","dbInstanceIdentifier":"db1"}""");

        assertThat(secret.username()).isEqualTo("admin");
        assertThat(secret.password()).isEqualTo("p\"w");
        assertThat(secret.endpoint()).contains(new HostAndPort("db.example", 3306));
    }

    @Test
    void takesAPortWrittenAsStringAndDefaultsTo3306() {
        assertThat(RdsSecret.parse("{\"username\":\"u\",\"password\":\"p\",\"host\":\"h\",\"port\":\"3307\"}").endpoint())
                .contains(new HostAndPort("h", 3307));
        assertThat(RdsSecret.parse("{\"username\":\"u\",\"password\":\"p\",\"host\":\"h\"}").endpoint())
                .contains(new HostAndPort("h", 3306));
        assertThat(RdsSecret.parse("{\"username\":\"u\",\"password\":\"p\"}").endpoint()).isEmpty();
    }

    @Test
    void refusesWhatIsNotAnRdsSecretWithoutQuotingIt() {
        assertThatThrownBy(() -> RdsSecret.parse("hunter2")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> RdsSecret.parse("[\"hunter2\"]")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> RdsSecret.parse("{\"password\":\"hunter2\"")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> RdsSecret.parse("{\"password\":\"hunter2\"}")).hasMessage("no \"username\" string");
        assertThatThrownBy(() -> RdsSecret.parse("{\"username\":\"u\",\"password\":7}")).hasMessage("\"password\" is not a non-empty string");
        assertThatThrownBy(() -> RdsSecret.parse("{\"username\":\"u\",\"password\":\"\"}")).hasMessage("\"password\" is not a non-empty string");
        assertThatThrownBy(() -> RdsSecret.parse("{\"username\":\"u\",\"password\":\"p\",\"host\":\"h\",\"port\":\"hunter2\"}"))
                .hasMessage("\"port\" is not a port number");
        assertThatThrownBy(() -> RdsSecret.parse("{\"username\":\"u\",\"password\":\"p\",\"host\":\"h\",\"port\":70000}"))
                .hasMessage("\"port\" is not a port number");
    }

    @Test
    void toStringRedactsThePassword() {
        assertThat(RdsSecret.parse("{\"username\":\"u\",\"password\":\"hunter2\",\"host\":\"h\"}").toString())
                .isEqualTo("RdsSecret[u, password=<redacted>, h:3306]");
    }
}
