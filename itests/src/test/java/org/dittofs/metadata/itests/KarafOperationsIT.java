package org.dittofs.metadata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockingMode;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Karaf 4.4 with {@code dittofs-lock-store-memory} and {@code dittofs-lock-operations} installed
 * from the project's feature repository: Karaf's own HTTP (pax-web) serves {@code /metrics}, which
 * after a known sequence of grants and a refusal holds exactly those counts (every line checked
 * against the text format's grammar); {@code /health} answers 200; Karaf's web console serves the
 * Locks page, listing the granted locks, to a user of the JAAS realm {@code karaf} with the role
 * {@code admin} and to nobody else.
 *
 * <p>Karaf 4.4 ships {@code etc/users.properties} with every user commented out, so a stock
 * container has nobody who can log in to the console (every request answers 401, whatever the
 * credentials): the test adds an {@code admin} user and a {@code viewer} user, as an operator must.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafOperationsIT extends ItestSupport {
  private static final String PORT = "dittofs.itest.http.port";
  private static final String USERS = "etc/users.properties";
  private static final String ADMIN = "ops:ops-secret";
  private static final String VIEWER = "watcher:watcher-secret";
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)");
  private static final Pattern COMMENT =
      Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

  @Inject private BootFinished bootFinished;

  @Configuration
  public Option[] config() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    return karaf(
        features(featureRepository(), "dittofs-lock-store-memory", "dittofs-lock-operations"),
        editConfigurationFilePut(
            "etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", Integer.toString(port)),
        // users.properties: user = password, role... (the console needs the realm's role admin)
        editConfigurationFilePut(USERS, "ops", "ops-secret,admin"),
        editConfigurationFilePut(USERS, "watcher", "watcher-secret,viewer"),
        systemProperty(PORT).value(Integer.toString(port)));
  }

  private static HttpResponse<String> get(String path, String auth) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://localhost:" + System.getProperty(PORT) + path));
    if (auth != null) {
      b.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8)));
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Polls {@code path} until its answer satisfies {@code done}; returns that answer. */
  private static HttpResponse<String> awaitGet(
      String path, String auth, Predicate<HttpResponse<String>> done) {
    AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
    await(
        "GET " + path + " as " + (auth == null ? "nobody" : auth.split(":")[0]),
        () -> {
          try {
            last.set(get(path, auth));
            return done.test(last.get());
          } catch (Exception e) {
            return false;
          }
        });
    return last.get();
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }

  /** Every line is HELP, TYPE or a sample; returns the samples by series. */
  private static Map<String, Double> strictParse(String text) {
    Map<String, Double> series = new HashMap<>();
    for (String line : text.split("\n")) {
      if (COMMENT.matcher(line).matches()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue("not a line of the text format: '" + line + "'", m.matches());
      String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
      assertTrue("series twice: " + key, series.put(key, Double.valueOf(m.group(3))) == null);
    }
    return series;
  }

  private static LockRequest lock(String owner, long offset) {
    return LockRequest.builder(FileHandle.of("karaf-metrics"), LockOwner.of(owner))
        .share(SHARE)
        .client(new LockClient("karaf-host", "nlm"))
        .posix()
        .exclusive()
        .range(ByteRange.span(offset, 10))
        .build();
  }

  @Test
  public void metricsHealthAndLocksPageAreServedByKarafsHttp() throws Exception {
    assertNotNull(bootFinished);
    MetadataManager service = awaitService(MetadataManager.class, null);
    awaitBound(service, "memory");
    service.putShare(new Share(SHARE, LockingMode.ADVISORY));
    awaitGet("/metrics", null, r -> r.statusCode() == 200);

    assertTrue(service.lockManager().lock(lock("a", 0)).granted());
    assertTrue(service.lockManager().lock(lock("b", 100)).granted());
    assertTrue(!service.lockManager().lock(lock("c", 5)).granted());

    HttpResponse<String> r = get("/metrics", null);
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    Map<String, Double> m = strictParse(r.body());
    assertEquals(
        Double.valueOf(2),
        m.get("dittofs_lock_grants_total{flavour=\"posix\",reclaim=\"false\",type=\"exclusive\"}"));
    assertEquals(
        Double.valueOf(1),
        m.get(
            "dittofs_lock_denials_total{flavour=\"posix\",reason=\"conflict\",type=\"exclusive\"}"));
    assertEquals(Double.valueOf(2), m.get("dittofs_lock_locks"));

    // served to an admin of the realm karaf
    HttpResponse<String> page =
        awaitGet("/system/console/locks", ADMIN, p -> p.statusCode() == 200);
    String html = page.body();
    assertTrue(html, html.contains("<title>Apache Karaf Web Console - Locks</title>"));
    assertTrue(html, html.contains("<td id=\"dittofs-store-type\">memory</td>"));
    assertEquals(html, 2, count(html, "<tr class=\"dittofs-lock\">"));
    assertEquals(html, 2, count(html, "<td class=\"dittofs-file\">karaf-metrics</td>"));
    assertTrue(html, html.contains("<td class=\"dittofs-owner\">a</td>"));
    assertTrue(html, html.contains("<td class=\"dittofs-owner\">b</td>"));
    assertTrue(html, !html.contains("<td class=\"dittofs-owner\">c</td>"));
    assertTrue(html, html.contains("<td>[0, 9]</td>"));
    assertTrue(html, html.contains("<td>[100, 109]</td>"));

    // the console's authentication: no credentials, a wrong password, a user without role admin
    assertEquals(401, get("/system/console/locks", null).statusCode());
    assertEquals(401, get("/system/console/locks", "ops:wrong").statusCode());
    assertEquals(401, get("/system/console/locks", VIEWER).statusCode());

    awaitGet("/health", null, h -> h.statusCode() == 200 && h.body().contains("dittofs-store"));
  }
}
