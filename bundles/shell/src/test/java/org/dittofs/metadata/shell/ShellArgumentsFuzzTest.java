package org.dittofs.metadata.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.dittofs.metadata.lock.testing.Fuzzing.text;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.testing.Fuzzing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Fuzzing of the shell's argument parsing with QuickTheories: plausible and hostile words (unsigned
 * 64-bit edges, signs, other scripts' digits, empty, oversized and non-UTF-16 owners and file
 * names, modifiers in any order and case, LDAP filter syntax in store names) for every command.
 * Each property checks that an accepted input means exactly what it says, that every refusal is a
 * {@link UsageException} naming the command's usage or a printed refusal, that a refusal changes
 * nothing, that no other exception escapes, and that no call hangs (each runs with a 10 s limit).
 *
 * <p>Inputs per property: {@code shell.fuzz.tries}, set by the module's POM (2,000 in the test
 * command, 200,000 in the {@code soak} profile; five properties), or {@code -Dfuzz.examples}; the
 * seed and its replay ({@code -Dfuzz.seed}): {@link Fuzzing}.
 */
class ShellArgumentsFuzzTest extends LockShellOnMemory {
  private static final int TRIES = Integer.getInteger("shell.fuzz.tries", 2_000);
  private static final AtomicLong INPUTS = new AtomicLong();
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
  private static final List<String> OWNERS = List.of("alice", "bob", "carol");
  private static final List<String> FILES = List.of("f", "g", "report.txt");
  private static final List<String> COMMANDS =
      List.of(
          "acquire", "release", "test", "reclaim", "list", "complete", "clients", "grace", "stats");

  private final Map<String, Integer> reached = new TreeMap<>();
  private ExecutorService runner = Executors.newSingleThreadExecutor();

  @BeforeEach
  void holdLocks() {
    lock.acquire(out, "alice", "f", "0", "100");
    lock.acquire(out, "bob", "g", "0", "10", "shared", "windows");
    lock.acquire(out, "carol", "report.txt", "18446744073709551615", "eof", "shared");
    buffer.reset();
  }

  @AfterEach
  void stopRunner() {
    runner.shutdownNow();
  }

  @AfterAll
  static void report() {
    System.out.println("shell argument fuzzing: " + INPUTS.get() + " inputs");
  }

  /** Runs {@code property} on {@code inputs}; true if it ran the full count (not a shorter run). */
  private <T> boolean check(Gen<T> inputs, Consumer<T> property) {
    long ran = Fuzzing.check(TRIES, inputs, property);
    INPUTS.addAndGet(ran);
    return ran >= TRIES;
  }

  private void reached(String outcome) {
    reached.merge(outcome, 1, Integer::sum);
  }

  // ---- properties

  record OffsetLength(String offset, String length) {}

  @Test
  void offsetsAndLengthsParseExactlyAsUnsigned64BitOrAreRefused() {
    boolean full = check(numberText().zip(numberText(), OffsetLength::new), this::offsetLength);
    System.out.println("offsets and lengths: " + reached);
    if (full) { // a shorter run (-Dfuzz.examples) may miss some
      assertThat(reached)
          .as("the inputs reach every outcome")
          .containsKeys("accepted", "offset refused", "length refused", "range refused");
    }
  }

  private void offsetLength(OffsetLength in) {
    String offset = in.offset();
    String length = in.length();
    String[] args = {"alice", "f", offset, length};
    BigInteger o = unsigned(offset);
    boolean eof = length.toLowerCase(Locale.ROOT).equals("eof");
    BigInteger n = eof ? null : unsigned(length);
    boolean accepted =
        o != null
            && (eof || n != null)
            && (eof || n.signum() == 0 || o.add(n).compareTo(TWO_64) <= 0);
    Object result = call(() -> LockArgs.parse(args, Usage.ACQUIRE, true));
    if (!accepted) {
      assertRefused(result, Usage.ACQUIRE);
      String reason = ((UsageException) result).getMessage();
      if (o == null) {
        reached("offset refused");
        assertThat(reason).startsWith("offset '" + offset + "' is not an unsigned 64-bit number");
      } else if (!eof && n == null) {
        reached("length refused");
        assertThat(reason).startsWith("length '" + length + "' is not an unsigned 64-bit number");
      } else {
        reached("range refused");
        assertThat(reason).startsWith("range '" + offset + "+" + length + "': ");
      }
      return;
    }
    reached("accepted");
    ByteRange r = ((LockArgs) result).range();
    assertThat(Long.toUnsignedString(r.first())).isEqualTo(o.toString());
    if (eof || n.signum() == 0) {
      assertThat(r).isEqualTo(ByteRange.toEnd(o.longValue())); // posix: 0 is to the end
    } else {
      assertThat(Long.toUnsignedString(r.last()))
          .isEqualTo(o.add(n).subtract(BigInteger.ONE).toString());
    }
  }

  record Modifiers(List<String> words, boolean withType) {}

  @Test
  void typesAndFlavoursParseInAnyOrderAndCaseOrAreRefused() {
    check(
        modifiers().zip(booleans().all(), Modifiers::new),
        in -> {
          List<String> words = in.words();
          boolean withType = in.withType();
          List<String> args = new ArrayList<>(List.of("bob", "g", "5", "0"));
          args.addAll(words);
          String usage = withType ? Usage.ACQUIRE : Usage.RELEASE;
          List<String> lower = words.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList();
          long types =
              lower.stream().filter(w -> w.equals("shared") || w.equals("exclusive")).count();
          long flavours =
              lower.stream().filter(w -> w.equals("posix") || w.equals("windows")).count();
          boolean accepted =
              types + flavours == words.size() && types <= (withType ? 1 : 0) && flavours <= 1;
          Object result = call(() -> LockArgs.parse(args.toArray(new String[0]), usage, withType));
          if (!accepted) {
            assertRefused(result, usage);
            return;
          }
          LockArgs a = (LockArgs) result;
          assertThat(a.type())
              .isEqualTo(
                  lower.contains("shared")
                      ? LockType.SHARED
                      : lower.contains("exclusive") ? LockType.EXCLUSIVE : null);
          LockFlavour flavour =
              lower.contains("windows")
                  ? LockFlavour.WINDOWS
                  : lower.contains("posix") ? LockFlavour.POSIX : null;
          assertThat(a.flavour()).isEqualTo(flavour);
          assertThat(a.range())
              .isEqualTo(
                  flavour == LockFlavour.WINDOWS ? ByteRange.zeroLength(5) : ByteRange.toEnd(5));
        });
  }

  record OwnerFile(String owner, String file) {}

  @Test
  void ownersAndFileNamesAreAcceptedExactlyWhenTheValueTypesHoldThem() {
    check(
        word().zip(word(), OwnerFile::new),
        in -> {
          String owner = in.owner();
          String file = in.file();
          boolean accepted =
              !owner.isEmpty()
                  && !file.isEmpty()
                  && file.getBytes(StandardCharsets.UTF_8).length <= FileHandle.MAX_LENGTH;
          Object result =
              call(() -> LockArgs.parse(new String[] {owner, file, "0", "1"}, Usage.TEST, true));
          if (!accepted) {
            assertRefused(result, Usage.TEST);
            assertThat(((Exception) result).getMessage()).matches("(?s)(owner|file) '.*': .*");
            return;
          }
          LockArgs a = (LockArgs) result;
          assertThat(a.request().owner().id()).isEqualTo(owner);
          assertThat(a.request().client().toString()).isEqualTo("shell:" + owner);
          assertThat(a.handle()).isEqualTo(FileHandle.of(file));
        });
  }

  @Test
  void everyLockCommandAnswersOrRefusesAndARefusalChangesNothing() {
    boolean full = check(lockCall(), this::lockCommand);
    System.out.println("lock commands: " + reached);
    if (full) {
      assertThat(reached)
          .as("the inputs reach help, usage errors and refusals")
          .containsKeys("--help", "usage error", "REFUSED");
      assertThat(reached.getOrDefault("GRANTED", 0) + reached.getOrDefault("RELEASED", 0))
          .as("the inputs change the lock table")
          .isPositive();
    }
  }

  private void lockCommand(List<String> call) {
    String command = call.get(0);
    String[] args = call.subList(1, call.size()).toArray(new String[0]);
    Map<String, Object> before = state(args);
    buffer.reset();
    Object result = call(() -> commands().get(command).accept(out, args));
    String printed = buffer.toString(StandardCharsets.UTF_8);
    if (List.of(args).contains("--help")) {
      reached("--help");
      assertThat(result).isEqualTo("ran");
      assertThat(printed).startsWith("usage: " + usageOf(command) + "\n  ");
      assertThat(state(args)).isEqualTo(before);
      return;
    }
    if (result instanceof UsageException e) {
      reached("usage error");
      assertThat(e.getMessage()).endsWith("usage: " + usageOf(command));
      assertThat(printed).isEmpty();
      assertThat(state(args)).isEqualTo(before);
      return;
    }
    assertThat(printed).as("%s %s", command, List.of(args)).isNotEmpty();
    String first = printed.lines().findFirst().orElseThrow();
    reached(first.split(" ", 2)[0]);
    assertThat(first).matches(answers(command));
    boolean readOnly = List.of("list", "clients", "grace", "stats", "test").contains(command);
    if (readOnly || first.matches("(REFUSED|usage:|error:).*")) {
      assertThat(state(args)).as("%s %s: %s", command, List.of(args), first).isEqualTo(before);
    }
  }

  @Test
  void storeSwapRefusalsChangeNothing() {
    check(
        storeArgs(),
        args -> {
          SimulatedSelection component = new SimulatedSelection(service);
          component.register("memory", null, 0);
          component.register("h2", "main", 0);
          component.configure("(store.type=memory)");
          StoreShell store =
              new StoreShell(component.manager(), component, component, Duration.ofMillis(200));
          buffer.reset();
          Object result = call(() -> store.swap(out, args.toArray(new String[0])));
          String printed = buffer.toString(StandardCharsets.UTF_8);
          boolean help = args.contains("--help");
          boolean known =
              !args.isEmpty()
                  && args.size() <= 2
                  && (args.get(0).equalsIgnoreCase("memory") || args.get(0).equalsIgnoreCase("h2"))
                  && (args.size() == 1
                      || (args.get(0).equalsIgnoreCase("h2")
                          && args.get(1).equalsIgnoreCase("main")));
          if (help) {
            assertThat(printed).startsWith("usage: " + Usage.SWAP);
          } else if (args.isEmpty() || args.size() > 2) {
            assertRefused(result, Usage.SWAP);
          } else if (!known) {
            assertThat(printed).startsWith("REFUSED  no MetadataStore with store.type=");
          } else {
            assertThat(printed).matches("(?s)(SWAPPED |already on |TARGET ).*");
            return;
          }
          assertThat(component.writes).isZero();
          assertThat(component.configured()).isEqualTo("(store.type=memory)");
        });
  }

  // ---- what the commands may answer

  private Map<String, BiConsumer<PrintStream, String[]>> commands() {
    Map<String, BiConsumer<PrintStream, String[]>> m = new LinkedHashMap<>();
    m.put("acquire", lock::acquire);
    m.put("release", lock::release);
    m.put("test", lock::test);
    m.put("reclaim", lock::reclaim);
    m.put("list", lock::list);
    m.put("complete", lock::complete);
    m.put("clients", lock::clients);
    m.put("grace", lock::grace);
    m.put("stats", lock::stats);
    return m;
  }

  private static String usageOf(String command) {
    return switch (command) {
      case "acquire" -> Usage.ACQUIRE;
      case "release" -> Usage.RELEASE;
      case "test" -> Usage.TEST;
      case "reclaim" -> Usage.RECLAIM;
      case "list" -> Usage.LIST;
      case "complete" -> Usage.COMPLETE;
      case "clients" -> Usage.CLIENTS;
      case "grace" -> Usage.GRACE;
      default -> Usage.STATS;
    };
  }

  /** The first line a command may print (besides its usage on --help and a store error). */
  private static String answers(String command) {
    String own =
        switch (command) {
          case "acquire" -> "GRANTED  .*|REFUSED  .*";
          case "release" -> "RELEASED .*|REFUSED  release .*";
          case "test" -> "TEST     .*";
          case "reclaim" -> "RECLAIMED .*|REFUSED  reclaim .*";
          case "list" -> "no locks held|.+: [0-9]+ locks?";
          case "complete" -> "COMPLETE .*";
          case "clients" -> "no clients|CLIENT .*";
          case "grace" -> "grace period: .*";
          default -> "now: .*";
        };
    return "(?s)(" + own + "|usage: lock:.*|error: [A-Z_]+: .*)";
  }

  /** The lock table as far as a call could touch it, the lock count, grace and shares. */
  private Map<String, Object> state(String[] args) {
    LockManager m = service.lockManager();
    Map<String, Object> s = new LinkedHashMap<>();
    List<String> files = new ArrayList<>(FILES);
    if (args.length > 1) {
      files.add(args[1]);
    }
    if (args.length > 0) {
      files.add(args[0]);
    }
    for (String f : files) {
      try {
        List<Lock> locks = m.locks(FileHandle.of(f));
        s.put("locks of " + f, locks);
      } catch (RuntimeException e) {
        // not a handle: no locks can be there
      }
    }
    s.put("count", m.lockCount());
    s.put("grace", m.graceStatus());
    s.put("shares", service.shares());
    return s;
  }

  // ---- helpers

  /** Runs {@code work} with a 10 s limit; returns its result or the UsageException it threw. */
  private Object call(java.util.concurrent.Callable<?> work) {
    try {
      return runner.submit(work).get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      runner.shutdownNow(); // the next inputs (shrinking) must not queue behind the hung call
      runner = Executors.newSingleThreadExecutor();
      return fail("hung for 10 s");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UsageException u) {
        return u;
      }
      throw new AssertionError("not a usage error: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private Object call(Runnable work) {
    return call(
        () -> {
          work.run();
          return "ran";
        });
  }

  private static void assertRefused(Object result, String usage) {
    assertThat(result).isInstanceOf(UsageException.class);
    assertThat(((UsageException) result).getMessage()).endsWith("usage: " + usage);
  }

  /** The value of an unsigned decimal ASCII number below 2^64, or null. */
  private static BigInteger unsigned(String text) {
    if (!text.matches("[0-9]+")) {
      return null;
    }
    BigInteger v = new BigInteger(text);
    return v.compareTo(TWO_64) < 0 ? v : null;
  }

  // ---- generators

  /** Decimal numbers around the unsigned 64-bit edges, small and of every size, and garbage. */
  static Gen<String> numberText() {
    Gen<String> edges =
        arbitrary()
            .pick(
                "0",
                "00",
                "1",
                "18446744073709551615",
                "18446744073709551614",
                "18446744073709551616",
                "9223372036854775807",
                "9223372036854775808",
                "-1",
                "-0",
                "+1",
                "1e3",
                "0x10",
                " 1",
                "1 ",
                "",
                "٣",
                "１",
                "eof",
                "EOF",
                "Eof",
                "end");
    Gen<String> small = longs().between(0, 300).map(n -> Long.toString(n));
    Gen<String> big = // below 2^bits for 1 to 68 bits: every magnitude up to 2^68
        integers()
            .between(1, 68)
            .zip(
                integers().between(0, 15),
                longs().all(),
                (bits, high, low) ->
                    BigInteger.valueOf(high)
                        .shiftLeft(64)
                        .or(BigInteger.valueOf(low).and(TWO_64.subtract(BigInteger.ONE)))
                        .mod(BigInteger.ONE.shiftLeft(bits))
                        .toString());
    Gen<String> nearTop =
        longs().between(0, 1000).map(d -> TWO_64.subtract(BigInteger.valueOf(d)).toString());
    return Generate.frequency(
        Pair.of(3, edges),
        Pair.of(4, small),
        Pair.of(2, big),
        Pair.of(2, nearTop),
        Pair.of(2, text(25)));
  }

  /** Up to three modifiers: right ones in any case, near misses and garbage. */
  static Gen<List<String>> modifiers() {
    Gen<String> word =
        Generate.oneOf(
            arbitrary().pick("shared", "exclusive", "posix", "windows"),
            arbitrary().pick("SHARED", "Exclusive", "POSIX", "Windows", "sharedd", "nfs", "", "-s"),
            text(10));
    return lists().of(word).ofSizeBetween(0, 3);
  }

  /**
   * An owner or file name: plausible, empty, options, NUL, garbage of any script and size, and
   * names around the 1,024 UTF-8 bytes a handle holds (in 1-, 2-, 3- and 4-byte characters).
   */
  static Gen<String> word() {
    return Generate.oneOf(
        arbitrary()
            .pick(
                "alice",
                "report.txt",
                "",
                " ",
                "--",
                "-h",
                "é",
                "\u0000",
                "x".repeat(128),
                "x".repeat(129)),
        text(40),
        strings().allPossible().ofLengthBetween(100, 200),
        strings().betweenCodePoints(0x4e00, 0x4fff).ofLengthBetween(40, 60),
        arbitrary()
            .pick(
                "x".repeat(1024),
                "x".repeat(1025),
                "é".repeat(512),
                "é".repeat(511) + "x",
                "é".repeat(512) + "x",
                "\ud83d\ude00".repeat(256),
                "\ud83d\ude00".repeat(256) + "x"),
        strings().betweenCodePoints(0x4e00, 0x4fff).ofLengthBetween(336, 348));
  }

  /** A lock command with a range and modifiers, or with any words; now and then with --help. */
  static Gen<List<String>> lockCall() {
    Gen<String> owner =
        Generate.frequency(Pair.of(6, arbitrary().pick(OWNERS)), Pair.of(2, word()));
    Gen<String> file = Generate.frequency(Pair.of(6, arbitrary().pick(FILES)), Pair.of(2, word()));
    Gen<String> number = numberText();
    Gen<String> mod =
        Generate.oneOf(
            arbitrary().pick("shared", "exclusive", "posix", "windows"),
            modifiers().map(l -> l.isEmpty() ? "x" : l.get(0)));
    Gen<List<String>> range =
        owner
            .zip(file, number, number, (o, f, off, len) -> List.of(o, f, off, len))
            .zip(
                lists().of(mod).ofSizeBetween(0, 2),
                (words, mods) -> {
                  List<String> l = new ArrayList<>(words);
                  l.addAll(mods);
                  return l;
                });
    Gen<List<String>> anyWords =
        lists()
            .of(
                Generate.oneOf(
                    owner, file, number, arbitrary().pick("--help", "all", "-a", "--all")))
            .ofSizeBetween(0, 7);
    Gen<List<String>> args = Generate.oneOf(range, range, anyWords);
    Gen<List<String>> withHelp =
        args.zip(
            integers().between(0, 7),
            (l, at) -> {
              List<String> copy = new ArrayList<>(l);
              copy.add(at % (copy.size() + 1), "--help");
              return copy;
            });
    Gen<List<String>> words = Generate.frequency(Pair.of(12, args), Pair.of(1, withHelp));
    return arbitrary()
        .pick(COMMANDS)
        .zip(
            words,
            (c, w) -> {
              List<String> l = new ArrayList<>();
              l.add(c);
              l.addAll(w);
              return l;
            });
  }

  /** Up to three words for store:swap: store types and names, LDAP syntax, garbage. */
  static Gen<List<String>> storeArgs() {
    Gen<String> word =
        Generate.oneOf(
            arbitrary().pick("memory", "h2", "H2", "main", "MAIN", "postgres", "--help"),
            arbitrary().pick("*", "(store.type=h2)", "h2)(store.type=*", "\\", "", "*)(|(a=b"),
            text(20));
    return lists().of(word).ofSizeBetween(0, 3);
  }
}
