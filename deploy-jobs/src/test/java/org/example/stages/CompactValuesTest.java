package org.example.stages;

import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import org.example.model.Customer;
import org.example.model.Merchant;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.example.TestData.CARD;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;

class CompactValuesTest {

    @Test
    void shouldReadAGenericRecordAsTheRecordItWasWrittenFrom() {
        Customer expected = customer(CARD);
        GenericRecord onACluster = GenericRecordBuilder.compact(Customer.class.getName())
                .setString("ccNum", expected.ccNum()).setString("firstName", expected.firstName())
                .setString("lastName", expected.lastName()).setString("gender", expected.gender())
                .setDate("dateOfBirth", expected.dateOfBirth()).setString("job", expected.job())
                .setString("street", expected.street()).setString("city", expected.city())
                .setString("state", expected.state()).setString("zip", expected.zip())
                .setFloat64("latitude", expected.latitude()).setFloat64("longitude", expected.longitude())
                .setInt64("cityPopulation", expected.cityPopulation()).setString("setting", expected.setting())
                .build();

        assertThat(CompactValues.as(onACluster, Customer.class)).isEqualTo(expected);
    }

    @Test
    void shouldPassTheRecordItselfAndNullThrough() {
        Merchant merchant = merchant("M1");

        assertThat(CompactValues.as(merchant, Merchant.class)).isSameAs(merchant);
        assertThat(CompactValues.as(null, Merchant.class)).isNull();
    }

    @Test
    void shouldRefuseSomethingElse() {
        assertThatThrownBy(() -> CompactValues.as("a string", Merchant.class))
                .hasMessageContaining("Expected a Merchant");
    }
}
