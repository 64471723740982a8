package org.dittofs.metadata.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;

/**
 * Fuzzing of the shell's argument parsing with jqwik: plausible and hostile words (unsigned 64-bit
 * edges, signs, other scripts' digits, empty and oversized owners and file names, modifiers in any
 * order and case, LDAP filter syntax in store names) for every command. Each property checks that
 * an accepted input means exactly what it says, that every refusal is a {@link UsageException}
 * naming the command's usage or a printed refusal, that a refusal changes nothing, that no other
 * exception escapes, and that no call hangs (each runs with a 10 s limit).
 *
 * <p>Tries per property: {@code jqwik.tries.default}, set by the module's POM (2,000 in the test
 * command, 200,000 in the {@code soak} profile; five properties).
 */
class ShellArgumentsFuzzTest {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
  private static final List<String> OWNERS = List.of("alice", "bob", "carol");
  private static final List<String> FILES = List.of("f", "g", "report.txt");
  private static final List<String> COMMANDS =
      List.of(
          "acquire", "release", "test", "reclaim", "list", "complete", "clients", "grace", "stats");

  private final ExecutorService runner = Executors.newSingleThreadExecutor();
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
  private MetadataManager service;
  private LockShell lock;

  @BeforeProperty
  void start() {
    service = MetadataServices.over(new MemoryMetadataStore()).start();
    lock = new LockShell(service);
    lock.acquire(out, "alice", "f", "0", "100");
    lock.acquire(out, "bob", "g", "0", "10", "shared", "windows");
    lock.acquire(out, "carol", "report.txt", "18446744073709551615", "eof", "shared");
    buffer.reset();
  }

  @AfterProperty
  void stop() {
    lock.deactivate();
    service.close();
    runner.shutdownNow();
  }

  // ---- properties

  @Property
  void offsetsAndLengthsParseExactlyAsUnsigned64BitOrAreRefused(
      @ForAll("numberText") String offset, @ForAll("numberText") String length) {
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
        assertThat(reason).startsWith("offset '" + offset + "' is not an unsigned 64-bit number");
      } else if (!eof && n == null) {
        assertThat(reason).startsWith("length '" + length + "' is not an unsigned 64-bit number");
      } else {
        assertThat(reason).startsWith("range '" + offset + "+" + length + "': ");
      }
      return;
    }
    ByteRange r = ((LockArgs) result).range();
    assertThat(Long.toUnsignedString(r.first())).isEqualTo(o.toString());
    if (eof || n.signum() == 0) {
      assertThat(r).isEqualTo(ByteRange.toEnd(o.longValue())); // posix: 0 is to the end
    } else {
      assertThat(Long.toUnsignedString(r.last()))
          .isEqualTo(o.add(n).subtract(BigInteger.ONE).toString());
    }
  }

  @Property
  void typesAndFlavoursParseInAnyOrderAndCaseOrAreRefused(
      @ForAll("modifiers") List<String> words, @ForAll boolean withType) {
    List<String> args = new ArrayList<>(List.of("bob", "g", "5", "0"));
    args.addAll(words);
    String usage = withType ? Usage.ACQUIRE : Usage.RELEASE;
    List<String> lower = words.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList();
    long types = lower.stream().filter(w -> w.equals("shared") || w.equals("exclusive")).count();
    long flavours = lower.stream().filter(w -> w.equals("posix") || w.equals("windows")).count();
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
        .isEqualTo(flavour == LockFlavour.WINDOWS ? ByteRange.zeroLength(5) : ByteRange.toEnd(5));
  }

  @Property
  void ownersAndFileNamesAreAcceptedExactlyWhenTheValueTypesHoldThem(
      @ForAll("word") String owner, @ForAll("word") String file) {
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
  }

  @Property
  void everyLockCommandAnswersOrRefusesAndARefusalChangesNothing(
      @ForAll("lockCall") List<String> call) {
    String command = call.get(0);
    String[] args = call.subList(1, call.size()).toArray(new String[0]);
    Map<String, Object> before = state(args);
    buffer.reset();
    Object result = call(() -> commands().get(command).accept(out, args));
    String printed = buffer.toString(StandardCharsets.UTF_8);
    if (List.of(args).contains("--help")) {
      assertThat(result).isEqualTo("ran");
      assertThat(printed).startsWith("usage: " + usageOf(command) + "\n  ");
      assertThat(state(args)).isEqualTo(before);
      return;
    }
    if (result instanceof UsageException e) {
      assertThat(e.getMessage()).endsWith("usage: " + usageOf(command));
      assertThat(printed).isEmpty();
      assertThat(state(args)).isEqualTo(before);
      return;
    }
    assertThat(printed).as("%s %s", command, List.of(args)).isNotEmpty();
    String first = printed.lines().findFirst().orElseThrow();
    assertThat(first).matches(answers(command));
    boolean readOnly = List.of("list", "clients", "grace", "stats", "test").contains(command);
    if (readOnly || first.matches("(REFUSED|usage:|error:).*")) {
      assertThat(state(args)).as("%s %s: %s", command, List.of(args), first).isEqualTo(before);
    }
  }

  @Property
  void storeSwapRefusalsChangeNothing(@ForAll("storeArgs") List<String> args) {
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
                || (args.get(0).equalsIgnoreCase("h2") && args.get(1).equalsIgnoreCase("main")));
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

  @Provide
  Arbitrary<String> numberText() {
    Arbitrary<String> edges =
        Arbitraries.of(
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
    Arbitrary<String> small = Arbitraries.longs().between(0, 300).map(String::valueOf);
    Arbitrary<String> big =
        Arbitraries.bigIntegers()
            .between(BigInteger.ZERO, TWO_64.shiftLeft(4))
            .map(BigInteger::toString);
    Arbitrary<String> nearTop =
        Arbitraries.longs()
            .between(0, 1000)
            .map(d -> TWO_64.subtract(BigInteger.valueOf(d)).toString());
    Arbitrary<String> garbage = Arbitraries.strings().ofMaxLength(25);
    return Arbitraries.frequencyOf(
        Tuple.of(3, edges),
        Tuple.of(4, small),
        Tuple.of(2, big),
        Tuple.of(2, nearTop),
        Tuple.of(2, garbage));
  }

  @Provide
  Arbitrary<List<String>> modifiers() {
    Arbitrary<String> word =
        Arbitraries.oneOf(
            Arbitraries.of("shared", "exclusive", "posix", "windows"),
            Arbitraries.of("SHARED", "Exclusive", "POSIX", "Windows", "sharedd", "nfs", "", "-s"),
            Arbitraries.strings().ofMaxLength(10));
    return word.list().ofMaxSize(3);
  }

  @Provide
  Arbitrary<String> word() {
    return Arbitraries.oneOf(
        Arbitraries.of(
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
        Arbitraries.strings().ofMaxLength(40),
        Arbitraries.strings().ofMinLength(100).ofMaxLength(200),
        Arbitraries.strings().withCharRange('\u4e00', '\u4fff').ofMinLength(40).ofMaxLength(60));
  }

  @Provide
  Arbitrary<List<String>> lockCall() {
    Arbitrary<String> owner =
        Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(OWNERS)), Tuple.of(2, word()));
    Arbitrary<String> file =
        Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(FILES)), Tuple.of(2, word()));
    Arbitrary<String> number = numberText();
    Arbitrary<String> mod =
        Arbitraries.oneOf(
            Arbitraries.of("shared", "exclusive", "posix", "windows"),
            modifiers().map(l -> l.isEmpty() ? "x" : l.get(0)));
    Arbitrary<List<String>> range =
        Combinators.combine(owner, file, number, number, mod.list().ofMaxSize(2))
            .as(
                (o, f, off, len, mods) -> {
                  List<String> l = new ArrayList<>(List.of(o, f, off, len));
                  l.addAll(mods);
                  return l;
                });
    Arbitrary<List<String>> anyWords =
        Arbitraries.oneOf(owner, file, number, Arbitraries.of("--help", "all", "-a", "--all"))
            .list()
            .ofMaxSize(7);
    Arbitrary<List<String>> args = Arbitraries.oneOf(range, range, anyWords);
    Arbitrary<List<String>> withHelp =
        args.map(
            l -> {
              List<String> copy = new ArrayList<>(l);
              copy.add(Math.abs(l.hashCode()) % (copy.size() + 1), "--help");
              return copy;
            });
    Arbitrary<List<String>> words =
        Arbitraries.frequencyOf(Tuple.of(12, args), Tuple.of(1, withHelp));
    return Combinators.combine(Arbitraries.of(COMMANDS), words)
        .as(
            (c, w) -> {
              List<String> l = new ArrayList<>();
              l.add(c);
              l.addAll(w);
              return l;
            });
  }

  @Provide
  Arbitrary<List<String>> storeArgs() {
    Arbitrary<String> word =
        Arbitraries.oneOf(
            Arbitraries.of("memory", "h2", "H2", "main", "MAIN", "postgres", "--help"),
            Arbitraries.of("*", "(store.type=h2)", "h2)(store.type=*", "\\", "", "*)(|(a=b"),
            Arbitraries.strings().ofMaxLength(20));
    return word.list().ofMaxSize(3);
  }
}
