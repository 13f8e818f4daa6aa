package io.sluice.credentials;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpService;

import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** What the build puts on the class path for the AWS SDK. */
class AwsClientsTest {

    @Test
    void theJdkBasedHttpClientIsTheOnlyOne() {
        assertThat(ServiceLoader.load(SdkHttpService.class).stream().map(p -> p.type().getName()))
                .containsExactly("software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService");
    }

    /**
     * Without the sts module the default credential chain skips web identity (EKS IRSA) with only a warning: the chain
     * loads this factory by name.
     */
    @Test
    void webIdentityCredentialsAreAvailable() throws ClassNotFoundException {
        assertThat(Class.forName("software.amazon.awssdk.services.sts.internal.StsWebIdentityCredentialsProviderFactory"))
                .isNotNull();
    }
}
