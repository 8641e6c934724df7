package org.example.it;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The scan the fuzz test trusts to say "no card number at rest": it must find one however stored. */
class CardNumberScanTest {

    private static final String CARD = "4000123456789012";

    @Test
    void shouldFindACardNumberAsText() {
        assertThat(CardNumberScan.inText("{\"cc_num\":\"" + CARD + "\"}", "json", List.of(CARD)))
                .containsExactly("card ...9012 in json");
        assertThat(CardNumberScan.inText("card=" + CARD, "log", List.of(CARD))).hasSize(1);
    }

    @Test
    void shouldNotReportOtherNumbersOrAMaskedCard() {
        assertThat(CardNumberScan.inText("1796122910589 400012******9012 " + CARD.substring(1) + " 0." + CARD
                + " 9" + CARD, "log", List.of(CARD))).isEmpty();
    }

    @Test
    void shouldFindACardNumberStoredAsALongOrADoubleInEitherByteOrder() {
        long number = Long.parseLong(CARD);
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            byte[] asLong = ByteBuffer.allocate(13).order(order).put((byte) 7).putLong(number).array();
            byte[] asDouble = ByteBuffer.allocate(9).order(order).putDouble(number).array();
            assertThat(CardNumberScan.inBytes(asLong, List.of(CARD))).as("long, %s", order).containsExactly(CARD);
            assertThat(CardNumberScan.inBytes(asDouble, List.of(CARD))).as("double, %s", order).containsExactly(CARD);
        }
    }
}
