package org.dittofs.metadata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.spi.MetadataStore;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Karaf 4.4 configured badly the way an operator does it, in {@code etc/*.cfg} files, at boot and
 * while running, then corrected; every bad value is one log line naming the PID, the field and the
 * reason, attributed to the project's bundle, and the correction applies without restarting a
 * bundle or a component.
 *
 * <ul>
 *   <li>At boot: {@code max.locks.per.file = lots} and a malformed {@code store.target}: the
 *       service is ACTIVE with the default limit and the default store (memory).
 *   <li>The file corrected: the limit and the H2 store ({@code store.target}) apply.
 *   <li>A bad value while running ({@code max.locks.per.file = many}, a string as Karaf's file
 *       install hands it over), then corrected.
 *   <li>A PostgreSQL store instance whose server cannot be reached, then its URL corrected: it
 *       opens without a restart.
 * </ul>
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafBadConfigurationIT extends ItestSupport {
  private static final String LOG = "karaf-bad-configuration.log";

  @Inject private BootFinished bootFinished;
  @Inject private MetadataManager service;

  @Configuration
  public Option[] config() {
    deleteTree(KarafLogFile.path(LOG));
    String cfg = "etc/" + METADATA_PID + ".cfg";
    return karaf(
        storeFeatures("karaf_bad_configuration"),
        editConfigurationFilePut(cfg, "max.locks.per.file", "lots"),
        editConfigurationFilePut(cfg, "store.target", "(store.type=h2"),
        KarafLogFile.option(LOG));
  }

  @Test
  public void badValuesAtBootAndWhileRunningAreOneLineEachAndCorrectionsApply() throws Exception {
    assertNotNull(bootFinished);
    awaitBound(service, "memory");
    assertEquals("the default limit", 1000, service.lockManager().config().maxLocksPerFile());
    Map<String, String> components = awaitComponentsActive(List.of(METADATA));
    System.out.println("[itests] Karaf with bad values at boot: " + components);
    List<String> boot = KarafLogFile.problems(KarafLogFile.lines(LOG));
    boot.forEach(l -> System.out.println("[itests] " + l));
    assertEquals("one line per bad value: " + boot, 1, count(boot, "'max.locks.per.file'"));
    assertLine(boot, "'max.locks.per.file': 'lots' is not a whole number; keeping 1000");
    assertLine(boot, "'store.target': '(store.type=h2' is not a valid LDAP filter");
    assertTrue(
        "attributed to the metadata bundle: " + boot,
        boot.stream()
            .filter(l -> l.contains(METADATA_PID))
            .allMatch(l -> l.contains(" - " + METADATA + " - ")));

    Path etc = Path.of(System.getProperty("karaf.etc"));
    Path cfg = etc.resolve(METADATA_PID + ".cfg");
    try (SwapLog log = SwapLog.attach()) {
      write(cfg, "max.locks.per.file = 5\nstore.target = (store.type=h2)\n");
      await("limit 5 in force", () -> service.lockManager().config().maxLocksPerFile() == 5);
      awaitBound(service, "h2");
      assertEquals("no problem line for the corrected file", List.of(), log.problems());

      // while running, through Config Admin with the string Karaf's file install hands over
      // (writing the file again could race with file install writing it back)
      configure(METADATA_PID, Map.of("max.locks.per.file", "many"));
      await("a line for 'many'", () -> !log.problems().isEmpty());
      configure(METADATA_PID, Map.of("max.locks.per.file", "7"));
      await("limit 7 in force", () -> service.lockManager().config().maxLocksPerFile() == 7);
      List<String> lines = log.problems();
      System.out.println("[itests] Karaf bad value while running: " + lines);
      assertEquals("one line", 1, lines.size());
      assertLine(lines, "'max.locks.per.file': 'many' is not a whole number; keeping 5");
      assertEquals("h2", service.store().type());
      assertEquals(
          "the same component, never restarted",
          components,
          awaitComponentsActive(List.of(METADATA)));
      assertTrue(
          "every line attributed to a project bundle: " + log.bundles(),
          log.bundles().stream().allMatch(b -> b.startsWith("org.dittofs.metadata")));
    }

    int closedPort = closedPort();
    try (SwapLog log = SwapLog.attach()) {
      MetadataStore postgres = configureUnreachablePostgres(closedPort);
      await("a line for the unreachable server", () -> !log.problems().isEmpty());
      configureInstance(
          POSTGRES_PID, STORE_NAME, Map.of("url", System.getProperty(PostgresServer.URL_PROPERTY)));
      await("the PostgreSQL store open", () -> opens(postgres));
      List<String> lines = log.problems();
      System.out.println("[itests] Karaf PostgreSQL unreachable, then corrected: " + lines);
      assertEquals("one line", 1, lines.size());
      assertLine(lines, "127.0.0.1:" + closedPort);
      assertLine(lines, "retrying in the background");
    }
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text);
  }

  private static long count(List<String> lines, String text) {
    return lines.stream().filter(l -> l.contains(text)).count();
  }

  private static void assertLine(List<String> lines, String text) {
    assertTrue("a line with " + text + " in " + lines, count(lines, text) >= 1);
  }
}
