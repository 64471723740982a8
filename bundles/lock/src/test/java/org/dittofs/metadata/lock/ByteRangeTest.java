package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC 2: unsigned 64-bit ranges, explicit constructors, refusal of wrapping, overlap rules. */
class ByteRangeTest {
  private static final long MAX = -1L; // 2^64-1
  private static final long TWO_63 = Long.MIN_VALUE; // 2^63 read unsigned

  private static void assertInvalid(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }

  // ---- constructors ----

  @Test
  void spanCoversOffsetThroughOffsetPlusLengthMinusOne() {
    ByteRange r = ByteRange.span(10, 5);
    assertThat(r.first()).isEqualTo(10);
    assertThat(r.last()).isEqualTo(14);
    assertThat(r.isZeroLength()).isFalse();
    assertThat(r.isToEnd()).isFalse();
  }

  @Test
  void spanOfOneByteHoldsExactlyThatByte() {
    ByteRange r = ByteRange.span(7, 1);
    assertThat(r.first()).isEqualTo(7);
    assertThat(r.last()).isEqualTo(7);
    assertThat(r.contains(7)).isTrue();
    assertThat(r.contains(6)).isFalse();
    assertThat(r.contains(8)).isFalse();
  }

  @Test
  void spanWithLengthZeroIsInvalidArgument() {
    assertInvalid(() -> ByteRange.span(0, 0));
    assertInvalid(() -> ByteRange.span(100, 0));
  }

  @Test
  void spanWrappingPastMaxIsInvalidArgument() {
    assertInvalid(() -> ByteRange.span(-1L, 2));
    assertInvalid(() -> ByteRange.span(TWO_63, TWO_63 + 1));
    assertInvalid(() -> ByteRange.span(2, -1L));
    assertInvalid(() -> ByteRange.span(-1L, -1L));
    assertInvalid(() -> ByteRange.span(MAX - 9, 11));
  }

  @Test
  void spanEndingExactlyAtMaxIsAccepted() {
    ByteRange last = ByteRange.span(-1L, 1);
    assertThat(last.first()).isEqualTo(MAX);
    assertThat(last.last()).isEqualTo(MAX);

    ByteRange upperHalf = ByteRange.span(TWO_63, TWO_63);
    assertThat(upperHalf.first()).isEqualTo(TWO_63);
    assertThat(upperHalf.last()).isEqualTo(MAX);
    assertThat(upperHalf.isToEnd()).isTrue();

    ByteRange tenLast = ByteRange.span(MAX - 9, 10);
    assertThat(tenLast.last()).isEqualTo(MAX);
  }

  @Test
  void spanOfMaximalLengthFromOneEndsAtMax() {
    ByteRange r = ByteRange.span(1, -1L); // length 2^64-1
    assertThat(r.first()).isEqualTo(1);
    assertThat(r.last()).isEqualTo(MAX);
  }

  @Test
  void spanOfMaximalLengthFromZeroEndsOneBeforeMax() {
    ByteRange r = ByteRange.span(0, -1L); // length 2^64-1
    assertThat(r.first()).isZero();
    assertThat(r.last()).isEqualTo(MAX - 1);
    assertThat(r.isToEnd()).isFalse();
  }

  @Test
  void spanLengthIsReadUnsigned() {
    // length 2^63 from offset 1 ends at 2^63, not a negative number
    ByteRange r = ByteRange.span(1, TWO_63);
    assertThat(r.last()).isEqualTo(TWO_63);
    assertThat(Long.toUnsignedString(r.last())).isEqualTo("9223372036854775808");
  }

  @Test
  void toEndRunsToMax() {
    ByteRange r = ByteRange.toEnd(100);
    assertThat(r.first()).isEqualTo(100);
    assertThat(r.last()).isEqualTo(MAX);
    assertThat(r.isToEnd()).isTrue();
    assertThat(r.isZeroLength()).isFalse();
  }

  @Test
  void toEndAtZeroIsWholeFile() {
    assertThat(ByteRange.toEnd(0)).isEqualTo(ByteRange.whole());
    assertThat(ByteRange.whole().first()).isZero();
    assertThat(ByteRange.whole().last()).isEqualTo(MAX);
  }

  @Test
  void toEndAtMaxHoldsOnlyTheLastByte() {
    ByteRange r = ByteRange.toEnd(MAX);
    assertThat(r).isEqualTo(ByteRange.span(MAX, 1));
    assertThat(r.isToEnd()).isTrue();
  }

  @Test
  void zeroLengthHoldsNoByte() {
    ByteRange z = ByteRange.zeroLength(5);
    assertThat(z.isZeroLength()).isTrue();
    assertThat(z.first()).isEqualTo(5);
    assertThat(z.last()).isEqualTo(5);
    assertThat(z.contains(5)).isFalse();
    assertThat(z.contains(4)).isFalse();
    assertThat(z.isToEnd()).isFalse();
  }

  @Test
  void zeroLengthAtMaxIsNotToEnd() {
    ByteRange z = ByteRange.zeroLength(MAX);
    assertThat(z.isZeroLength()).isTrue();
    assertThat(z.isToEnd()).isFalse();
  }

  @Test
  void ofTakesInclusiveBounds() {
    ByteRange r = ByteRange.of(3, 9);
    assertThat(r).isEqualTo(ByteRange.span(3, 7));
    assertThat(ByteRange.of(4, 4)).isEqualTo(ByteRange.span(4, 1));
    assertThat(ByteRange.of(0, MAX)).isEqualTo(ByteRange.whole());
  }

  @Test
  void ofWithLastBeforeFirstIsInvalidArgument() {
    assertInvalid(() -> ByteRange.of(10, 9));
    // unsigned: 2^63 is after 5, so [2^63, 5] is backwards
    assertInvalid(() -> ByteRange.of(TWO_63, 5));
    assertInvalid(() -> ByteRange.of(MAX, 0));
  }

  @Test
  void ofComparesBoundsUnsigned() {
    // signed, 5 > -1; unsigned, 5 < 2^64-1, so this is a valid range
    ByteRange r = ByteRange.of(5, MAX);
    assertThat(r.isToEnd()).isTrue();
    assertThat(r.contains(TWO_63)).isTrue();
  }

  // ---- overlap of byte ranges ----

  @Test
  void rangesSharingAByteOverlap() {
    assertThat(ByteRange.span(0, 10).overlaps(ByteRange.span(9, 10))).isTrue();
    assertThat(ByteRange.span(9, 10).overlaps(ByteRange.span(0, 10))).isTrue();
  }

  @Test
  void rangeOverlapsARangeItEncloses() {
    assertThat(ByteRange.span(0, 100).overlaps(ByteRange.span(40, 2))).isTrue();
    assertThat(ByteRange.span(40, 2).overlaps(ByteRange.span(0, 100))).isTrue();
  }

  @Test
  void identicalRangesOverlap() {
    assertThat(ByteRange.span(3, 3).overlaps(ByteRange.span(3, 3))).isTrue();
  }

  @Test
  void adjacentRangesDoNotOverlap() {
    ByteRange a = ByteRange.span(0, 10); // [0, 9]
    ByteRange b = ByteRange.span(10, 10); // [10, 19]
    assertThat(a.overlaps(b)).isFalse();
    assertThat(b.overlaps(a)).isFalse();
  }

  @Test
  void disjointRangesDoNotOverlap() {
    assertThat(ByteRange.span(0, 5).overlaps(ByteRange.span(100, 5))).isFalse();
  }

  @Test
  void rangesAboveTwoToThe63AreComparedUnsigned() {
    ByteRange high = ByteRange.span(TWO_63, 10); // [2^63, 2^63+9]
    ByteRange low = ByteRange.span(0, 100);
    // signed comparison would make 'high' negative and lie below 'low'
    assertThat(high.overlaps(low)).isFalse();
    assertThat(low.overlaps(high)).isFalse();
    assertThat(ByteRange.toEnd(0).overlaps(high)).isTrue();
    assertThat(ByteRange.span(TWO_63 + 9, 1).overlaps(high)).isTrue();
    assertThat(ByteRange.span(TWO_63 + 10, 1).overlaps(high)).isFalse();
  }

  @Test
  void rangeCrossingTheSignedBoundaryOverlapsBothSides() {
    ByteRange cross = ByteRange.span(Long.MAX_VALUE, 2); // [2^63-1, 2^63]
    assertThat(cross.overlaps(ByteRange.span(Long.MAX_VALUE, 1))).isTrue();
    assertThat(cross.overlaps(ByteRange.span(TWO_63, 1))).isTrue();
    assertThat(cross.overlaps(ByteRange.span(TWO_63 + 1, 1))).isFalse();
    assertThat(cross.overlaps(ByteRange.span(0, 100))).isFalse();
  }

  @Test
  void toEndRangesOverlapAtTheLastByte() {
    assertThat(ByteRange.toEnd(5).overlaps(ByteRange.span(MAX, 1))).isTrue();
    assertThat(ByteRange.toEnd(MAX).overlaps(ByteRange.toEnd(0))).isTrue();
    assertThat(ByteRange.span(MAX - 10, 10).overlaps(ByteRange.toEnd(MAX))).isFalse();
  }

  // ---- zero-length ranges ----

  @ParameterizedTest(name = "zero-length at 10 vs [{0}, {1}] -> {2}")
  @CsvSource({
    "9, 10, true", // holds 9 and 10
    "0, 100, true", // encloses the boundary
    "9, 9, false", // ends at X-1
    "10, 10, false", // starts at X
    "10, 20, false", // starts at X
    "0, 9, false", // ends at X-1
    "11, 20, false", // after
    "0, 5, false", // before
  })
  void zeroLengthOverlapsOnlyRangesHoldingBothNeighbours(long first, long last, boolean expected) {
    ByteRange z = ByteRange.zeroLength(10);
    ByteRange r = ByteRange.of(first, last);
    assertThat(z.overlaps(r)).isEqualTo(expected);
    assertThat(r.overlaps(z)).isEqualTo(expected);
  }

  @Test
  void zeroLengthAtZeroNeverOverlaps() {
    ByteRange z = ByteRange.zeroLength(0);
    assertThat(z.overlaps(ByteRange.whole())).isFalse();
    assertThat(ByteRange.whole().overlaps(z)).isFalse();
    assertThat(z.overlaps(ByteRange.span(0, 1))).isFalse();
    assertThat(z.overlaps(ByteRange.zeroLength(0))).isFalse();
  }

  @Test
  void twoZeroLengthRangesNeverOverlap() {
    assertThat(ByteRange.zeroLength(5).overlaps(ByteRange.zeroLength(5))).isFalse();
    assertThat(ByteRange.zeroLength(5).overlaps(ByteRange.zeroLength(6))).isFalse();
    assertThat(ByteRange.zeroLength(MAX).overlaps(ByteRange.zeroLength(MAX))).isFalse();
  }

  @Test
  void zeroLengthAtMaxOverlapsARangeHoldingTheLastTwoBytes() {
    ByteRange z = ByteRange.zeroLength(MAX);
    assertThat(z.overlaps(ByteRange.toEnd(0))).isTrue();
    assertThat(z.overlaps(ByteRange.span(MAX - 1, 2))).isTrue();
    assertThat(z.overlaps(ByteRange.span(MAX, 1))).isFalse();
  }

  @Test
  void zeroLengthAboveTwoToThe63UsesUnsignedNeighbours() {
    ByteRange z = ByteRange.zeroLength(TWO_63); // neighbours 2^63-1 and 2^63
    assertThat(z.overlaps(ByteRange.span(Long.MAX_VALUE, 2))).isTrue();
    assertThat(z.overlaps(ByteRange.span(TWO_63, 5))).isFalse();
    assertThat(z.overlaps(ByteRange.span(0, 10))).isFalse();
  }

  // ---- equals / compareTo / toString ----

  @Test
  void equalRangesAreEqualAndHashAlike() {
    assertThat(ByteRange.span(3, 5)).isEqualTo(ByteRange.of(3, 7));
    assertThat(ByteRange.span(3, 5).hashCode()).isEqualTo(ByteRange.of(3, 7).hashCode());
    assertThat(ByteRange.toEnd(9)).isEqualTo(ByteRange.of(9, MAX));
    assertThat(ByteRange.zeroLength(4)).isEqualTo(ByteRange.zeroLength(4));
    assertThat(ByteRange.zeroLength(4).hashCode()).isEqualTo(ByteRange.zeroLength(4).hashCode());
  }

  @Test
  void differentRangesAreNotEqual() {
    assertThat(ByteRange.span(3, 5)).isNotEqualTo(ByteRange.span(3, 6));
    assertThat(ByteRange.span(3, 5)).isNotEqualTo(ByteRange.span(4, 5));
    assertThat(ByteRange.span(3, 5)).isNotEqualTo("[3, 7]");
  }

  @Test
  void zeroLengthDiffersFromOneByteSpanAtTheSameOffset() {
    assertThat(ByteRange.zeroLength(5)).isNotEqualTo(ByteRange.span(5, 1));
    assertThat(ByteRange.span(5, 1)).isNotEqualTo(ByteRange.zeroLength(5));
    assertThat(ByteRange.zeroLength(5)).isNotEqualTo(ByteRange.zeroLength(6));
  }

  @Test
  void compareToOrdersByFirstByteUnsigned() {
    ByteRange low = ByteRange.span(5, 1);
    ByteRange high = ByteRange.span(TWO_63, 1);
    assertThat(low.compareTo(high)).isNegative();
    assertThat(high.compareTo(low)).isPositive();
    assertThat(ByteRange.span(0, 1).compareTo(ByteRange.span(MAX, 1))).isNegative();
  }

  @Test
  void compareToBreaksTiesByLastByte() {
    assertThat(ByteRange.span(5, 2).compareTo(ByteRange.span(5, 3))).isNegative();
    assertThat(ByteRange.toEnd(5).compareTo(ByteRange.span(5, 3))).isPositive();
    assertThat(ByteRange.span(5, 3).compareTo(ByteRange.of(5, 7))).isZero();
  }

  @Test
  void compareToPutsZeroLengthBeforeNonEmptyAtTheSameOffset() {
    assertThat(ByteRange.zeroLength(5).compareTo(ByteRange.span(5, 1))).isNegative();
    assertThat(ByteRange.span(5, 1).compareTo(ByteRange.zeroLength(5))).isPositive();
    assertThat(ByteRange.zeroLength(5).compareTo(ByteRange.zeroLength(5))).isZero();
  }

  @Test
  void sortingMixedRangesFollowsUnsignedOrder() {
    List<ByteRange> ranges =
        new ArrayList<>(
            List.of(
                ByteRange.toEnd(TWO_63),
                ByteRange.span(10, 5),
                ByteRange.zeroLength(10),
                ByteRange.span(0, 1),
                ByteRange.span(MAX, 1),
                ByteRange.span(10, 1)));
    Collections.sort(ranges);
    assertThat(ranges)
        .containsExactly(
            ByteRange.span(0, 1),
            ByteRange.zeroLength(10),
            ByteRange.span(10, 1),
            ByteRange.span(10, 5),
            ByteRange.toEnd(TWO_63),
            ByteRange.span(MAX, 1));
  }

  @Test
  void toStringShowsInclusiveUnsignedBounds() {
    assertThat(ByteRange.span(10, 5)).hasToString("[10, 14]");
    assertThat(ByteRange.span(TWO_63, 2)).hasToString("[9223372036854775808, 9223372036854775809]");
  }

  @Test
  void toStringShowsEofForToEndRanges() {
    assertThat(ByteRange.toEnd(7)).hasToString("[7, EOF]");
    assertThat(ByteRange.whole()).hasToString("[0, EOF]");
  }

  @Test
  void toStringShowsZeroLengthRangesByOffset() {
    assertThat(ByteRange.zeroLength(42)).hasToString("@42+0");
    assertThat(ByteRange.zeroLength(MAX)).hasToString("@18446744073709551615+0");
  }
}
