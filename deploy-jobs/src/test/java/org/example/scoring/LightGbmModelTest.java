package org.example.scoring;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

/**
 * The reader and evaluator on tiny hand-written models, each expected output worked out by hand
 * from LightGBM's rules (tree.h: decision_type bits, missing types, categorical bitsets), and
 * their contributions worked out as Shapley values from the leaves' row counts. The shipped model
 * against LightGBM itself: {@link GoldenParityTest}, {@link PythonParityTest},
 * {@link ContributionParityTest}.
 */
class LightGbmModelTest {

    private static final double NAN = Double.NaN;

    /**
     * Node 0: x0 <= 1.5 goes to leaf 0 (0.25), else node 1: x1 <= -2 goes to leaf 1 (-0.5), else
     * leaf 2 (1.0). Node 1 has the default-left bit, which means nothing with missing type None.
     * Half the training rows reached leaf 0, a quarter each leaf 1 and 2: the tree's expected value
     * is 0.25. A second tree is a single leaf, 0.125, added to every row.
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
            leaf_count=2 1 1
            internal_count=4 2
            shrinkage=1
            """, """
            num_leaves=1
            num_cat=0
            leaf_value=0.125
            shrinkage=0.05
            """);

    /**
     * A categorical stump. Bitset words 2147483658 = 2^31 + 2^3 + 2^1 and 1 = 2^0: categories 1, 3,
     * 31 and 32 go left, to 1.0 (3 of the 4 training rows); the others right, to 2.0.
     */
    private static final String CATEGORICAL = model(1, "binary sigmoid:1", """
            num_leaves=2
            num_cat=1
            split_feature=0
            threshold=0
            decision_type=1
            left_child=-1
            right_child=-2
            leaf_value=1 2
            leaf_count=3 1
            internal_count=4
            cat_boundaries=0 2
            cat_threshold=2147483658 1
            """);

    @Test
    void shouldGoLeftOnValuesUpToTheThresholdAndAddTheTreesInOrder() {
        LightGbmModel model = LightGbmModel.parse(NUMERICAL, "numerical");

        assertThat(model.featureNames()).containsExactly("x0", "x1");
        assertRawScore(model, row(1.5, 0), 0.25 + 0.125);
        assertRawScore(model, row(Math.nextUp(1.5), -2), -0.5 + 0.125);
        assertRawScore(model, row(7, Math.nextUp(-2.0)), 1.0 + 0.125);
    }

    @Test
    void shouldReadNanAsZeroWhenTheSplitHasNoMissingType() {
        LightGbmModel model = LightGbmModel.parse(NUMERICAL, "numerical");

        // 0 <= 1.5: left, though NaN compares false with everything.
        assertRawScore(model, row(NAN, 5), 0.25 + 0.125);
        // 0 <= -2 is false: right, whatever the default-left bit says.
        assertRawScore(model, row(2, NAN), 1.0 + 0.125);
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

        assertRawScore(model, row(-1e-36), 2.0);
        assertRawScore(model, row(-2e-35), 1.0);
        // And at threshold 0: 1e-35 is "zero", so 0 <= 0 goes left; 2e-35 is not.
        LightGbmModel atZero = LightGbmModel.parse(stump("0", "0"), "at zero");
        assertRawScore(atZero, row(1e-35), 1.0);
        assertRawScore(atZero, row(2e-35), 2.0);
        // LightGBM's zero threshold is the float 1e-35f: 1.0000000180025095e-35 is still zero, the next double is not.
        assertRawScore(atZero, row(1.0000000180025095e-35), 1.0);
        assertRawScore(atZero, row(-1.0000000180025095e-35), 1.0);
        assertRawScore(atZero, row(Math.nextUp(1.0000000180025095e-35)), 2.0);
        // A threshold of -0 is 0: 0 <= -0 holds.
        LightGbmModel atNegativeZero = LightGbmModel.parse(stump("0", "-0"), "at -0");
        assertRawScore(atNegativeZero, row(0.0), 1.0);
        assertRawScore(atNegativeZero, row(-0.0), 1.0);
        assertRawScore(atNegativeZero, row(Double.MIN_VALUE), 1.0);
        assertRawScore(atNegativeZero, row(2e-35), 2.0);
    }

    @Test
    void shouldSendZeroTheDefaultWayWhenZeroIsMissing() {
        // decision_type 6 = missing Zero (1 << 2) + default left (2); threshold -1, where 0 would go right.
        LightGbmModel zeroLeft = LightGbmModel.parse(stump("6", "-1"), "zero left");
        assertRawScore(zeroLeft, row(0), 1.0);
        assertRawScore(zeroLeft, row(1e-36), 1.0);
        assertRawScore(zeroLeft, row(NAN), 1.0); // NaN is read as 0, so it is missing too
        assertRawScore(zeroLeft, row(-5), 1.0);
        assertRawScore(zeroLeft, row(3), 2.0);

        // decision_type 4 = missing Zero, default right; threshold 1, where 0 would go left.
        LightGbmModel zeroRight = LightGbmModel.parse(stump("4", "1"), "zero right");
        assertRawScore(zeroRight, row(0), 2.0);
        assertRawScore(zeroRight, row(NAN), 2.0);
        assertRawScore(zeroRight, row(0.5), 1.0);
        assertRawScore(zeroRight, row(2e-35), 1.0);
    }

    @Test
    void shouldSendNanTheDefaultWayWhenNanIsMissing() {
        // decision_type 10 = missing NaN (2 << 2) + default left; 8 = missing NaN, default right.
        LightGbmModel nanLeft = LightGbmModel.parse(stump("10", "0.5"), "nan left");
        LightGbmModel nanRight = LightGbmModel.parse(stump("8", "0.5"), "nan right");

        assertRawScore(nanLeft, row(NAN), 1.0);
        assertRawScore(nanRight, row(NAN), 2.0);
        // Zero is an ordinary value here: 0 <= 0.5.
        assertRawScore(nanRight, row(0), 1.0);
        assertRawScore(nanRight, row(1), 2.0);
    }

    @Test
    void shouldSendACategoryLeftWhenItsBitIsSet() {
        LightGbmModel model = LightGbmModel.parse(CATEGORICAL, "categorical");

        for (double left : new double[]{1, 3, 31, 32, 1.7}) {
            assertRawScore(model, row(left), 1.0);
        }
        // 64 lies beyond the bitset's two words; -0.5 truncates to category 0; NaN and negatives go right.
        for (double right : new double[]{0, 2, 30, 33, 64, -0.5, -1, NAN, 1e10}) {
            assertRawScore(model, row(right), 2.0);
        }
    }

    @Test
    void shouldCreditAStumpsFeatureWithTheDistanceFromTheExpectedValue() {
        LightGbmModel model = LightGbmModel.parse(stump("0", "1.5"), "stump");

        // Expected value 3/4 · 1 + 1/4 · 2 = 1.25; the leaf reached minus that is x0's.
        assertThat(model.contributions(row(0.5))).containsExactly(1.0 - 1.25, 1.25);
        assertThat(model.contributions(row(3))).containsExactly(2.0 - 1.25, 1.25);
    }

    @Test
    void shouldShareTheCreditBetweenFeaturesAsShapleyValuesOverTheTrainingRows() {
        LightGbmModel model = LightGbmModel.parse(NUMERICAL, "numerical");

        // v(S): the tree's output knowing only the features in S, the others averaged over the rows
        // that reached each split. Row (7, -1.9) reaches leaf 2 (1.0): v({}) = 0.25; v({x0}) =
        // node 1's average, (-0.5 + 1) / 2 = 0.25; v({x1}) = (0.25 + 1) / 2 = 0.625; v({x0, x1}) = 1.
        // x0: ((0.25 - 0.25) + (1 - 0.625)) / 2 = 0.1875; x1: ((0.625 - 0.25) + (1 - 0.25)) / 2 = 0.5625.
        // The one-leaf tree only adds its 0.125 to the expected value: 0.375.
        assertThat(model.contributions(row(7, -1.9))).containsExactly(0.1875, 0.5625, 0.375);
        // Row (1.5, 0) stops at leaf 0 (0.25) without asking x1, yet x1 = 0 tells which half of
        // node 1 the row would fall in: x0: ((0.25 - 0.25) + (0.25 - 0.625)) / 2 = -0.1875;
        // x1: ((0.625 - 0.25) + (0.25 - 0.25)) / 2 = 0.1875.
        assertThat(model.contributions(row(1.5, 0))).containsExactly(-0.1875, 0.1875, 0.375);
    }

    @Test
    void shouldCreditAFeatureSplitOnTwiceAsOneFeature() {
        // Node 0: x0 <= 1, then node 1: x1 <= 0 to leaf 0 (0) or leaf 1 (2); else node 2: x0 <= 3 to
        // leaf 2 (4) or leaf 3 (8). One training row per leaf: expected value 3.5.
        LightGbmModel model = LightGbmModel.parse(model(2, "binary sigmoid:1", """
                num_leaves=4
                num_cat=0
                split_feature=0 1 0
                threshold=1 0 3
                decision_type=0 0 0
                left_child=1 -1 -3
                right_child=2 -2 -4
                leaf_value=0 2 4 8
                leaf_count=1 1 1 1
                internal_count=4 2 2
                """), "x0 twice");

        // Row (5, -1) reaches leaf 3 (8). v({}) = 3.5; v({x0}) = 8; v({x1}) = (0 + (4 + 8) / 2) / 2 = 3;
        // x0: ((8 - 3.5) + (8 - 3)) / 2 = 4.75; x1: ((3 - 3.5) + (8 - 8)) / 2 = -0.25.
        assertThat(model.contributions(row(5, -1))).containsExactly(4.75, -0.25, 3.5);
        // Row (2, 1) reaches leaf 2 (4). v({x0}) = 4; v({x1}) = (2 + 6) / 2 = 4;
        // x0: ((4 - 3.5) + (4 - 4)) / 2 = 0.25; x1: ((4 - 3.5) + (4 - 4)) / 2 = 0.25.
        assertThat(model.contributions(row(2, 1))).containsExactly(0.25, 0.25, 3.5);
    }

    @Test
    void shouldCreditACategoricalSplitByTheSideTheCategoryGoes() {
        LightGbmModel model = LightGbmModel.parse(CATEGORICAL, "categorical");

        assertThat(model.contributions(row(3))).containsExactly(-0.25, 1.25);
        assertThat(model.contributions(row(2))).containsExactly(0.75, 1.25);
        assertThat(model.contributions(row(NAN))).as("NaN goes right").containsExactly(0.75, 1.25);
    }

    @Test
    void shouldCreditAMissingValueWithTheLeafItsDefaultSideLeadsTo() {
        // NaN missing, default left (10): NaN goes left, to 1.0; default right (8): to 2.0.
        assertThat(LightGbmModel.parse(stump("10", "0.5"), "nan left").contributions(row(NAN)))
                .containsExactly(-0.25, 1.25);
        assertThat(LightGbmModel.parse(stump("8", "0.5"), "nan right").contributions(row(NAN)))
                .containsExactly(0.75, 1.25);
        // Zero missing, default left (6), threshold -1: 0 goes left though 0 > -1.
        assertThat(LightGbmModel.parse(stump("6", "-1"), "zero left").contributions(row(0)))
                .containsExactly(-0.25, 1.25);
    }

    @Test
    void shouldExplainTreesAsDeepAsItReads() {
        // 512 levels, each on a feature of its own: TreeSHAP's paths reach their longest.
        LightGbmModel deepest = LightGbmModel.parse(chain(LightGbmModel.MAX_DEPTH), "deepest");

        double[] contributions = deepest.contributions(ones(LightGbmModel.MAX_DEPTH));

        // One training row per leaf, the last leaf 1.0, the others 0.
        assertThat(contributions).hasSize(LightGbmModel.MAX_DEPTH + 1);
        assertThat(contributions[LightGbmModel.MAX_DEPTH]).isEqualTo(1.0 / (LightGbmModel.MAX_DEPTH + 1));
        assertThatThrownBy(() -> LightGbmModel.parse(chain(LightGbmModel.MAX_DEPTH + 1), "bad.txt"))
                .hasMessageContaining("more than 512 levels in a tree are not supported");
    }

    @Test
    void shouldAddUpToTheRawScoreOnAPathOfSixteenFeatures() {
        // As many as the shipped model has. TreeSHAP's path weights lose precision as distinct
        // features pile up on one path: on these chains LightGBM's own contributions miss the raw
        // score by 4e-15 with 16 features, 2e-10 with 30, and mean nothing from about 64 on (and
        // these are LightGBM's numbers, to the bit: docs/DESIGN.md).
        LightGbmModel model = LightGbmModel.parse(chain(16), "sixteen");

        double[] contributions = model.contributions(ones(16));

        assertThat(Arrays.stream(contributions).sum()).isCloseTo(1.0, offset(1e-14));
        assertThat(Arrays.stream(contributions).min().orElseThrow()).as("the least contribution").isPositive();
    }

    @Test
    void shouldRefuseARowOrBuffersThatDoNotFitTheModel() {
        LightGbmModel twoFeatures = LightGbmModel.parse(NUMERICAL, "numerical");
        LightGbmModel.ContributionBuffers stumpBuffers = LightGbmModel.parse(stump("0", "1"), "stump")
                .newContributionBuffers();

        assertThatThrownBy(() -> twoFeatures.contributions(row(1, 2, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a row has 2 values, not 3");
        assertThatThrownBy(() -> twoFeatures.contributions(row(1, 2), stumpBuffers))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the buffers were made for a smaller model");
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
        assertRefused(NUMERICAL.replace("leaf_count=2 1 1\n", ""), "Tree=0: missing leaf_count");
        assertRefused(NUMERICAL.replace("internal_count=4 2", "internal_count=4 0"),
                "internal_count of node 1 must be positive, not 0");
        assertRefused("not a model\n", "the first line must be 'tree'");
    }

    private static void assertRefused(String text, String problem) {
        assertThatThrownBy(() -> LightGbmModel.parse(text, "bad.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad.txt (line ")
                .hasMessageContaining(problem);
    }

    /**
     * One split on x0 at {@code threshold}: leaf 1.0 on the left (3 of the 4 training rows), 2.0 on
     * the right; the expected value is 1.25.
     */
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
                leaf_count=3 1
                internal_count=4
                """.formatted(threshold, decisionType));
    }

    /**
     * The raw score a row gets, seen the two ways the model shows it: the probability is exactly
     * the sigmoid of it (these models' sigmoid is 1), and the contributions add up to it. The
     * contributions of these small models are sums of a few halves and quarters, so exactly.
     */
    private static void assertRawScore(LightGbmModel model, double[] row, double expected) {
        assertThat(model.probability(row)).as("probability of %s", Arrays.toString(row))
                .isEqualTo(1 / (1 + Math.exp(-expected)));
        assertThat(Arrays.stream(model.contributions(row)).sum()).as("contributions of %s", Arrays.toString(row))
                .isEqualTo(expected);
    }

    /**
     * One tree of {@code levels} splits, the split at level i on feature i at 0: leaf i (0.0) on the
     * left, and after the last split leaf {@code levels} (1.0); one training row per leaf.
     */
    private static String chain(int levels) {
        StringBuilder tree = new StringBuilder("num_leaves=" + (levels + 1) + "\nnum_cat=0\n");
        tree.append(IntStream.range(0, levels).mapToObj(Integer::toString)
                .collect(Collectors.joining(" ", "split_feature=", "\n")));
        tree.append("threshold=").append("0 ".repeat(levels).strip()).append('\n');
        tree.append(IntStream.range(0, levels).mapToObj(i -> Integer.toString(~i))
                .collect(Collectors.joining(" ", "left_child=", "\n")));
        tree.append(IntStream.range(0, levels).mapToObj(i -> Integer.toString(i + 1 < levels ? i + 1 : ~levels))
                .collect(Collectors.joining(" ", "right_child=", "\n")));
        tree.append("leaf_value=").append("0 ".repeat(levels)).append("1\n");
        tree.append("leaf_count=").append("1 ".repeat(levels)).append("1\n");
        tree.append(IntStream.range(0, levels).mapToObj(i -> Integer.toString(levels + 1 - i))
                .collect(Collectors.joining(" ", "internal_count=", "\n")));
        return model(levels, "binary sigmoid:1", tree.toString());
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

    private static double[] ones(int length) {
        double[] row = new double[length];
        Arrays.fill(row, 1.0);
        return row;
    }
}
