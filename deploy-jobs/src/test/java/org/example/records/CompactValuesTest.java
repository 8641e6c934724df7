package org.example.records;

import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.example.TestData.CARD;
import static org.example.TestData.asGenericRecord;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;

class CompactValuesTest {

    @Test
    void shouldReadAGenericRecordAsTheRecordItWasWrittenFrom() {
        Customer expected = customer(CARD);
        GenericRecord onACluster = asGenericRecord(expected);

        assertThat(CompactValues.as(onACluster, Customer.class)).isEqualTo(expected);
    }

    @Test
    void shouldPassTheRecordItselfAndNullThrough() {
        Merchant merchant = merchant("M1");

        assertThat(CompactValues.as(merchant, Merchant.class)).isSameAs(merchant);
        assertThat(CompactValues.as(null, Merchant.class)).isNull();
    }

    @Test
    void shouldReadTheSameRecordLoadedByAnotherClassLoader() throws Exception {
        // What a member hands a replaced job: the record class of the job before it.
        Path classes = Path.of(Merchant.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (URLClassLoader earlierJob = new URLClassLoader(new URL[]{classes.toUri().toURL()}, null)) {
            Class<?> foreignType = earlierJob.loadClass(Merchant.class.getName());
            Object foreign = foreignType.getConstructors()[0].newInstance("M1", "Corner Grocery", "grocery_pos", 40.7, -74.0);
            assertThat(foreign).isNotInstanceOf(Merchant.class);

            assertThat(CompactValues.as(foreign, Merchant.class))
                    .isEqualTo(new Merchant("M1", "Corner Grocery", "grocery_pos", 40.7, -74.0));
        }
    }

    @Test
    void shouldRefuseSomethingElse() {
        assertThatThrownBy(() -> CompactValues.as("a string", Merchant.class))
                .hasMessageContaining("Expected a Merchant");
    }
}
