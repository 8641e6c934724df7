package org.example.scoring;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reader and evaluator on tiny hand-written models, each expected output worked out by hand
 * from LightGBM's rules (tree.h: decision_type bits, missing types, categorical bitsets). The
 * shipped model against LightGBM itself: {@link GoldenParityTest}, {@link PythonParityTest}.
 */
class LightGbmModelTest {

    private static final double NAN = Double.NaN;

    /**
     * Node 0: x0 <= 1.5 goes to leaf 0 (0.25), else node 1: x1 <= -2 goes to leaf 1 (-0.5), else
     * leaf 2 (1.0). Node 1 has the default-left bit, which means nothing with missing type None.
     * A second tree is a single leaf, 0.125, added to every row.
     */
    private static final String NUMERICAL = model(2, "binary sigmoid:1", """
            num_leaves=3
            num_cat=0
            split_feature=0 1
            threshold=1.5 -2
            decision_type=0 2
            left_child=-1 -2
            right_child=1 -3
            leaf_value=0.25 -0.5 1
            shrinkage=1
            """, """
            num_leaves=1
            num_cat=0
            leaf_value=0.125
            shrinkage=0.05
            """);

    @Test
    void shouldGoLeftOnValuesUpToTheThresholdAndAddTheTreesInOrder() {
        LightGbmModel model = LightGbmModel.parse(NUMERICAL, "numerical");

        assertThat(model.numTrees()).isEqualTo(2);
        assertThat(model.featureNames()).containsExactly("x0", "x1");
        assertThat(model.rawScore(row(1.5, 0))).isEqualTo(0.25 + 0.125);
        assertThat(model.rawScore(row(Math.nextUp(1.5), -2))).isEqualTo(-0.5 + 0.125);
        assertThat(model.rawScore(row(7, Math.nextUp(-2.0)))).isEqualTo(1.0 + 0.125);
    }

    @Test
    void shouldReadNanAsZeroWhenTheSplitHasNoMissingType() {
        LightGbmModel model = LightGbmModel.parse(NUMERICAL, "numerical");

        // 0 <= 1.5: left, though NaN compares false with everything.
        assertThat(model.rawScore(row(NAN, 5))).isEqualTo(0.25 + 0.125);
        // 0 <= -2 is false: right, whatever the default-left bit says.
        assertThat(model.rawScore(row(2, NAN))).isEqualTo(1.0 + 0.125);
    }

    @Test
    void shouldTurnTheRawScoreIntoAProbabilityWithTheObjectivesSigmoid() {
        LightGbmModel plain = LightGbmModel.parse(NUMERICAL, "numerical");
        LightGbmModel steeper = LightGbmModel.parse(NUMERICAL.replace("sigmoid:1", "sigmoid:2"), "steeper");

        assertThat(plain.probability(row(0, 0))).isEqualTo(1 / (1 + Math.exp(-0.375)));
        assertThat(steeper.probability(row(0, 0))).isEqualTo(1 / (1 + Math.exp(-0.75)));
    }

    @Test
    void shouldReadValuesWithinLightGbmsZeroThresholdAsZero() {
        // One split at -1e-36: a dense row's -1e-36 becomes 0 (as in LightGBM's C API), so it goes right.
        LightGbmModel model = LightGbmModel.parse(stump("0", "-1e-36"), "tiny");

        assertThat(model.rawScore(row(-1e-36))).isEqualTo(2.0);
        assertThat(model.rawScore(row(-2e-35))).isEqualTo(1.0);
        // And at threshold 0: 1e-35 is "zero", so 0 <= 0 goes left; 2e-35 is not.
        LightGbmModel atZero = LightGbmModel.parse(stump("0", "0"), "at zero");
        assertThat(atZero.rawScore(row(1e-35))).isEqualTo(1.0);
        assertThat(atZero.rawScore(row(2e-35))).isEqualTo(2.0);
        // A threshold of -0 is 0: 0 <= -0 holds.
        LightGbmModel atNegativeZero = LightGbmModel.parse(stump("0", "-0"), "at -0");
        assertThat(atNegativeZero.rawScore(row(0.0))).isEqualTo(1.0);
        assertThat(atNegativeZero.rawScore(row(-0.0))).isEqualTo(1.0);
        assertThat(atNegativeZero.rawScore(row(Double.MIN_VALUE))).isEqualTo(1.0);
        assertThat(atNegativeZero.rawScore(row(2e-35))).isEqualTo(2.0);
    }

    @Test
    void shouldSendZeroTheDefaultWayWhenZeroIsMissing() {
        // decision_type 6 = missing Zero (1 << 2) + default left (2); threshold -1, where 0 would go right.
        LightGbmModel zeroLeft = LightGbmModel.parse(stump("6", "-1"), "zero left");
        assertThat(zeroLeft.rawScore(row(0))).isEqualTo(1.0);
        assertThat(zeroLeft.rawScore(row(1e-36))).isEqualTo(1.0);
        assertThat(zeroLeft.rawScore(row(NAN))).as("NaN is read as 0, so it is missing too").isEqualTo(1.0);
        assertThat(zeroLeft.rawScore(row(-5))).isEqualTo(1.0);
        assertThat(zeroLeft.rawScore(row(3))).isEqualTo(2.0);

        // decision_type 4 = missing Zero, default right; threshold 1, where 0 would go left.
        LightGbmModel zeroRight = LightGbmModel.parse(stump("4", "1"), "zero right");
        assertThat(zeroRight.rawScore(row(0))).isEqualTo(2.0);
        assertThat(zeroRight.rawScore(row(NAN))).isEqualTo(2.0);
        assertThat(zeroRight.rawScore(row(0.5))).isEqualTo(1.0);
        assertThat(zeroRight.rawScore(row(2e-35))).isEqualTo(1.0);
    }

    @Test
    void shouldSendNanTheDefaultWayWhenNanIsMissing() {
        // decision_type 10 = missing NaN (2 << 2) + default left; 8 = missing NaN, default right.
        LightGbmModel nanLeft = LightGbmModel.parse(stump("10", "0.5"), "nan left");
        LightGbmModel nanRight = LightGbmModel.parse(stump("8", "0.5"), "nan right");

        assertThat(nanLeft.rawScore(row(NAN))).isEqualTo(1.0);
        assertThat(nanRight.rawScore(row(NAN))).isEqualTo(2.0);
        // Zero is an ordinary value here: 0 <= 0.5.
        assertThat(nanRight.rawScore(row(0))).isEqualTo(1.0);
        assertThat(nanRight.rawScore(row(1))).isEqualTo(2.0);
    }

    @Test
    void shouldSendACategoryLeftWhenItsBitIsSet() {
        // Bitset words 2147483658 = 2^31 + 2^3 + 2^1 and 1 = 2^0: categories 1, 3, 31 and 32 go left.
        LightGbmModel model = LightGbmModel.parse(model(1, "binary sigmoid:1", """
                num_leaves=2
                num_cat=1
                split_feature=0
                threshold=0
                decision_type=1
                left_child=-1
                right_child=-2
                leaf_value=1 2
                cat_boundaries=0 2
                cat_threshold=2147483658 1
                """), "categorical");

        for (double left : new double[]{1, 3, 31, 32, 1.7}) {
            assertThat(model.rawScore(row(left))).as("category %s", left).isEqualTo(1.0);
        }
        // 64 lies beyond the bitset's two words; -0.5 truncates to category 0; NaN and negatives go right.
        for (double right : new double[]{0, 2, 30, 33, 64, -0.5, -1, NAN, 1e10}) {
            assertThat(model.rawScore(row(right))).as("category %s", right).isEqualTo(2.0);
        }
    }

    @Test
    void shouldRankAValueByHowManyThresholdsLieBelowIt() {
        double[] thresholds = {-3, -1e-30, 2, 2.5, 7, 1e300};

        assertThat(LightGbmModel.rank(thresholds, Double.NEGATIVE_INFINITY)).isEqualTo(0);
        assertThat(LightGbmModel.rank(thresholds, -3)).as("equal is not below").isEqualTo(0);
        assertThat(LightGbmModel.rank(thresholds, Math.nextUp(-3.0))).isEqualTo(1);
        assertThat(LightGbmModel.rank(thresholds, -1e-36)).as("read as 0").isEqualTo(2);
        assertThat(LightGbmModel.rank(thresholds, Double.NaN)).as("read as 0").isEqualTo(2);
        assertThat(LightGbmModel.rank(thresholds, 2.5)).isEqualTo(3);
        assertThat(LightGbmModel.rank(thresholds, Math.nextUp(2.5))).isEqualTo(4);
        assertThat(LightGbmModel.rank(thresholds, Double.POSITIVE_INFINITY)).isEqualTo(6);
        for (int length = 1; length <= 9; length++) {
            double[] some = java.util.Arrays.copyOf(thresholds, Math.min(length, thresholds.length));
            for (double value : new double[]{-4, -3, 0, 2, 2.2, 7, 8, 1e300, 2e300}) {
                long below = java.util.Arrays.stream(some).filter(t -> t < value).count();
                assertThat(LightGbmModel.rank(some, value)).as("%s in %s", value, some.length).isEqualTo((int) below);
            }
        }
    }

    @Test
    void shouldRefuseModelsItWouldNotEvaluateAsLightGbmDoes() {
        assertRefused(NUMERICAL.replace("binary sigmoid:1", "regression"), "objective regression is not supported");
        assertRefused(NUMERICAL.replace("num_class=1", "num_class=3"), "only single-class models");
        assertRefused(NUMERICAL.replace("shrinkage=1\n", "is_linear=1\n"), "linear trees are not supported");
        assertRefused(NUMERICAL.substring(0, NUMERICAL.indexOf("end of trees")), "the model is truncated");
        assertRefused(NUMERICAL.replace("leaf_value=0.25 -0.5 1", "leaf_value=0.25 -0.5"),
                "leaf_value has 2 values, expected 3");
        assertRefused(NUMERICAL.replace("split_feature=0 1", "split_feature=0 2"), "split_feature 2 is not a feature");
        assertRefused(NUMERICAL.replace("right_child=1 -3", "right_child=1 -1"), "reached twice");
        assertRefused(NUMERICAL.replace("left_child=-1 -2", "left_child=-1 1"), "reached twice");
        assertRefused("not a model\n", "the first line must be 'tree'");
    }

    private static void assertRefused(String text, String problem) {
        assertThatThrownBy(() -> LightGbmModel.parse(text, "bad.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad.txt (line ")
                .hasMessageContaining(problem);
    }

    /** One split on x0 at {@code threshold}: leaf 1.0 on the left, 2.0 on the right. */
    private static String stump(String decisionType, String threshold) {
        return model(1, "binary sigmoid:1", """
                num_leaves=2
                num_cat=0
                split_feature=0
                threshold=%s
                decision_type=%s
                left_child=-1
                right_child=-2
                leaf_value=1 2
                """.formatted(threshold, decisionType));
    }

    /** A model file as LightGBM writes it, with only the lines the reader needs. */
    private static String model(int features, String objective, String... trees) {
        StringBuilder text = new StringBuilder("tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\n")
                .append("max_feature_idx=").append(features - 1).append('\n')
                .append("objective=").append(objective).append('\n')
                .append("feature_names=");
        for (int i = 0; i < features; i++) {
            text.append(i == 0 ? "" : " ").append('x').append(i);
        }
        text.append("\n\n");
        for (int i = 0; i < trees.length; i++) {
            text.append("Tree=").append(i).append('\n').append(trees[i]).append("\n\n");
        }
        return text.append("end of trees\n\nparameters:\n[objective: binary]\nend of parameters\n").toString();
    }

    private static double[] row(double... values) {
        return values;
    }
}
