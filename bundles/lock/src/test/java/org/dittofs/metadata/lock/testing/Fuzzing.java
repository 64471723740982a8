package org.dittofs.metadata.lock.testing;

import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.quicktheories.QuickTheory;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The set-up of the project's property-based tests (QuickTheories 0.26): how many inputs a property
 * gets, the seed, shrinking, and generators of hostile text and edge values.
 *
 * <p>Inputs per property: {@code -Dfuzz.examples=N}, else the property's default. Seed: fresh per
 * run unless {@code -Dfuzz.seed=S}. A failing property reports its smallest falsifying input and
 * "Seed was S"; {@code -Dfuzz.seed=S} replays the run (same generators, same order).
 */
public final class Fuzzing {
  /** Shrinking stops this long after the first failure and reports the smallest input so far. */
  private static final long SHRINK_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(30);

  private Fuzzing() {}

  /** The inputs per property: {@code -Dfuzz.examples}, else {@code byDefault}. */
  public static int examples(int byDefault) {
    return Integer.getInteger("fuzz.examples", byDefault);
  }

  /** A theory with {@code byDefault} inputs unless {@code -Dfuzz.examples} says otherwise. */
  public static QuickTheory qt(int byDefault) {
    QuickTheory q = QuickTheory.qt().withExamples(examples(byDefault)).withShrinkCycles(10_000);
    String seed = System.getProperty("fuzz.seed");
    return seed == null ? q : q.withFixedSeed(Long.parseLong(seed));
  }

  /**
   * Checks {@code property} on exactly {@link #examples examples(byDefault)} inputs of {@code
   * inputs}, repeated inputs included, and shrinks a failure for at most 30 s.
   *
   * <p>QuickTheories skips an input whose random draws it has run before, so a small input space
   * would get fewer runs than asked, and a stateful property would never meet the same call in a
   * later state. Each input therefore carries one more draw, which the property does not see, and
   * the theory runs a few inputs beyond the count, which pass untested once the count is reached
   * (they make up for inputs whose draws hash alike).
   *
   * @return the number of inputs the property ran
   * @throws AssertionError with the smallest falsifying input and the seed if the property fails,
   *     or if fewer inputs than asked could be drawn
   */
  public static <T> long check(int byDefault, Gen<T> inputs, Consumer<T> property) {
    int n = examples(byDefault);
    Run<T> run = new Run<>(n, property);
    Gen<T> salted = inputs.zip(longs().all(), (t, salt) -> t).describedAs(inputs::asString);
    qt(n).withExamples(n + n / 100 + 16).forAll(salted).checkAssert(run);
    if (run.ran < n) {
      throw new AssertionError("only " + run.ran + " of " + n + " inputs could be drawn");
    }
    return run.ran;
  }

  /** One property's run: counts the inputs, then lets the surplus pass; bounds shrinking. */
  private static final class Run<T> implements Consumer<T> {
    private final int n;
    private final Consumer<T> property;
    private long ran;
    private long failedAt = -1;

    Run(int n, Consumer<T> property) {
      this.n = n;
      this.property = property;
    }

    @Override
    public void accept(T input) {
      if (failedAt < 0) {
        if (ran == n) {
          return;
        }
        ran++;
      } else if (System.nanoTime() - failedAt > SHRINK_BUDGET_NANOS) {
        return; // shrinking is over: QuickTheories reports the smallest failure found
      }
      try {
        property.accept(input);
      } catch (RuntimeException | Error e) {
        if (failedAt < 0) {
          failedAt = System.nanoTime();
        }
        throw e;
      }
    }
  }

  // ---------------------------------------------------------------- generators

  /**
   * Text of 0 to {@code maxLength} chars: any code point (unpaired surrogates included), the basic
   * multilingual plane, ASCII with its control characters, and one time in six an edge: empty,
   * blank, NUL, a line break, a lone surrogate, U+FFFF, an emoji.
   */
  public static Gen<String> text(int maxLength) {
    Gen<String> any =
        Generate.oneOf(
            strings().allPossible().ofLengthBetween(0, maxLength),
            strings().basicMultilingualPlaneAlphabet().ofLengthBetween(0, maxLength),
            strings().ascii().ofLengthBetween(0, maxLength));
    return withEdges(
        any,
        List.of("", " ", "\u0000", "\n", "\r\n", "\ud800", "\udc00", "\uffff", "\ud83d\ude00")
            .stream()
            .filter(s -> s.length() <= maxLength)
            .toList());
  }

  /**
   * {@code values}, and one time in six one of {@code edges}: QuickTheories draws evenly over a
   * range, so the values a property must meet at the borders are named.
   */
  public static <T> Gen<T> withEdges(Gen<T> values, List<T> edges) {
    return Generate.frequency(Pair.of(5, values), Pair.of(1, arbitrary().pick(edges)));
  }
}
