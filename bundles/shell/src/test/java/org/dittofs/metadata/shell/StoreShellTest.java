package org.dittofs.metadata.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StoreShellTest {
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
  private MetadataManager real;
  private SimulatedSelection component;
  private long memory;
  private long h2;

  @BeforeEach
  void start() {
    real = MetadataServices.over(new MemoryMetadataStore()).start();
    component = new SimulatedSelection(real);
    memory = component.register("memory", null, 0);
    h2 = component.register("h2", null, 0);
    component.configure("(store.type=h2)");
  }

  @AfterEach
  void stop() {
    real.close();
  }

  private StoreShell shell() {
    return new StoreShell(component.manager(), component, component, Duration.ofMillis(300));
  }

  private String output() {
    String s = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    return s;
  }

  @Test
  void showsTheStoreInUseTheTargetAndEveryStore() {
    shell().show(out);
    assertThat(output())
        .isEqualTo(
            """
            store in use: h2
            target in force: (store.type=h2)
            stores available:
              TYPE    NAME  RANKING  SERVICE.ID  MATCHES TARGET  IN USE
              h2      -     0        101         yes             yes
              memory  -     0        100         no
            holds: 0 locks, server epoch 1, shares (none)
            """);
  }

  /** Issue 15: a refused malformed filter is not shown as the target in force. */
  @Test
  void showsARefusedConfiguredTargetApartFromTheOneInForce() {
    component.configure("(store.type=memory");
    shell().show(out);
    assertThat(output())
        .contains("target in force: (store.type=h2)\n")
        .contains("configured store.target: (store.type=memory REFUSED, not a valid LDAP filter (")
        .contains("the target in force stays")
        .doesNotContain("target in force: (store.type=memory");
  }

  /** A configuration without store.target keeps the one in force (docs/decisions.md). */
  @Test
  void showsThatAConfigurationWithoutTheTargetKeepsTheOneInForce() {
    component.configure(null);
    shell().show(out);
    assertThat(output())
        .contains("store in use: h2\n")
        .contains("target in force: (store.type=h2)\n")
        .contains(
            "configured store.target: none (configuration org.dittofs.metadata.service does not"
                + " set it: the target in force stays; at a start, the default)");
  }

  @Test
  void showsThatTheServiceWaitsForAMatchingStore() {
    component.configure("(store.type=postgres)");
    shell().show(out);
    assertThat(output())
        .contains("store in use: h2\n")
        .contains("target in force: (store.type=postgres)\n")
        .contains(
            "waiting: no registered store matches the target in force; staying on h2 until one"
                + " registers")
        .contains("  h2      -     0        101         no              yes");
  }

  /** Issue 15: target postgres matching nothing while h2 is in use; swapping to h2 sets it. */
  @Test
  void swapToTheStoreInUseSetsATargetThatMatchedNothing() {
    component.configure("(store.type=postgres)");
    shell().swap(out, "h2");
    assertThat(output())
        .isEqualTo(
            "TARGET   store.target=(store.type=h2) (was (store.type=postgres)); the service stays"
                + " on h2, which it matches: no swap needed\n");
    assertThat(component.configured()).isEqualTo("(store.type=h2)");
    component.register("postgres", null, 0);
    assertThat(component.inUse()).isEqualTo(h2); // a later PostgreSQL store does not take over
  }

  @Test
  void swapsToAnotherStoreAndSaysAlreadyWhenNothingIsLeftToDo() {
    shell().swap(out, "memory");
    assertThat(output())
        .startsWith("SWAPPED  h2 -> memory in ")
        .contains("(store.target=(store.type=memory)); 0 locks held");
    assertThat(component.inUse()).isEqualTo(memory);
    int writes = component.writes;
    shell().swap(out, "MEMORY");
    assertThat(output()).isEqualTo("already on memory (store.target=(store.type=memory))\n");
    assertThat(component.writes).isEqualTo(writes);
  }

  @Test
  void swapByNameSelectsOneStoreOfAType() {
    long b = component.register("h2", "b", 0);
    shell().swap(out, "h2", "b");
    assertThat(output()).startsWith("SWAPPED  h2 -> h2/b in ");
    assertThat(component.configured()).isEqualTo("(&(store.type=h2)(store.name=b))");
    assertThat(component.inUse()).isEqualTo(b);
  }

  @Test
  void aStoreFromAKarafFactoryConfigurationIsNamedByItAndSwappedToByName() {
    // what SCR registers for etc/org.dittofs.metadata.store.h2-other.cfg: no store.name property
    long other =
        component.register(
            Map.of(
                "store.type", "h2",
                "service.factoryPid", "org.dittofs.metadata.store.h2",
                "service.pid", "org.dittofs.metadata.store.h2.9c6a0f1e-0b1d-4a57-8a39-1f2f3c4d5e6f",
                "felix.fileinstall.filename",
                    "file:/opt/karaf/etc/org.dittofs.metadata.store.h2-other.cfg"));
    shell().show(out);
    assertThat(output()).contains("  h2      other  0        102         yes");
    shell().swap(out, "h2", "other");
    assertThat(output()).startsWith("SWAPPED  h2 -> h2/other in ");
    assertThat(component.configured()).isEqualTo("(&(store.type=h2)(store.name=other))");
    assertThat(component.inUse()).isEqualTo(other);
  }

  @Test
  void refusesAStoreThatIsNotRegisteredAndChangesNothing() {
    shell().swap(out, "postgres");
    assertThat(output())
        .isEqualTo(
            "REFUSED  no MetadataStore with store.type=postgres is registered (available: h2,"
                + " memory); install and configure it first. store.target unchanged, staying on"
                + " h2\n");
    shell().swap(out, "h2", "nosuch");
    assertThat(output())
        .startsWith("REFUSED  no MetadataStore with store.type=h2 and store.name=nosuch");
    shell().swap(out, "*)(store.type=h2");
    assertThat(output()).startsWith("REFUSED  ");
    assertThat(component.writes).isZero();
    assertThat(component.configured()).isEqualTo("(store.type=h2)");
  }

  @Test
  void saysSoWhenTheServiceDoesNotApplyOrDoesNotMove() {
    component.ignoreConfiguration();
    shell().swap(out, "memory");
    assertThat(output())
        .startsWith(
            "NOT APPLIED: store.target is set to (store.type=memory) but the service still has"
                + " (store.type=h2) in force after ")
        .endsWith(" ms; staying on h2; see the log\n");
  }

  @Test
  void saysSoWhenTheMoveFails() {
    component.failMoves();
    shell().swap(out, "memory");
    assertThat(output())
        .startsWith(
            "NOT SWAPPED: store.target=(store.type=memory) is in force but the service is on h2 after ");
  }

  @Test
  void wrongArgumentsAndHelpChangeNothing() {
    StoreShell s = shell();
    assertThatThrownBy(() -> s.swap(out))
        .isInstanceOf(UsageException.class)
        .hasMessage("usage: " + Usage.SWAP);
    assertThatThrownBy(() -> s.swap(out, "a", "b", "c")).hasMessage("usage: " + Usage.SWAP);
    assertThatThrownBy(() -> s.show(out, "x")).hasMessage("usage: " + Usage.SHOW);
    s.swap(out, "memory", "--help");
    s.show(out, "--help");
    assertThat(output())
        .isEqualTo(
            "usage: "
                + Usage.SWAP
                + "\n  "
                + Usage.SWAP_TEXT
                + "\nusage: "
                + Usage.SHOW
                + "\n  "
                + Usage.SHOW_TEXT
                + "\n");
    assertThat(component.writes).isZero();
    assertThat(component.inUse()).isEqualTo(h2);
  }

  @Test
  void aServiceWhoseHostSwapsStoresRefusesTheSwap() {
    StoreShell s = new StoreShell(real, component, component, Duration.ofMillis(300));
    s.swap(out, "memory");
    assertThat(output()).startsWith("REFUSED  this metadata service does not follow store.target");
    s.show(out);
    assertThat(output()).contains("target in force: none (this service's host chooses its store)");
    assertThat(component.writes).isZero();
  }

  @Test
  void completesTypesAndNames() {
    component.register("h2", "b", 5);
    assertThat(shell().types())
        .containsExactly(
            new Suggestion("h2", "h2, ranking 0, service.id 101; h2/b, ranking 5, service.id 102"),
            new Suggestion("memory", "memory, ranking 0, service.id 100"));
    assertThat(shell().names("H2"))
        .containsExactly(new Suggestion("b", "h2/b, ranking 5, service.id 102"));
    assertThat(shell().names("memory")).isEmpty();
  }

  @Test
  void targetValuesAreEscaped() {
    assertThat(StoreShell.targetOf("h2", "a(b)*\\"))
        .isEqualTo("(&(store.type=h2)(store.name=a\\(b\\)\\*\\\\))");
  }
}
