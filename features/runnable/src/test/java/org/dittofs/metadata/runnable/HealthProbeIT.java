package org.dittofs.metadata.runnable;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dittofs.metadata.metrics.testing.PrometheusText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health probe as an orchestrator sees it, over real HTTP against the runnable jar: {@code
 * /health} (ours) and {@code /system/health.txt} / {@code .json} (the Felix Health Checks' own
 * servlet) answer 200 OK; the operator stops the H2 store's bundle in the shell and both go to 503
 * CRITICAL (no store bound, nothing to reach), a lock request is refused with STORE_UNAVAILABLE
 * (counted in {@code /metrics} by that reason) while the lock already granted stays; the bundle
 * started again, both come back to 200 OK, the lock is still held and new locks are granted. Every
 * wait polls with a generous bound ({@link RunningServer}); the health executor caches results for
 * a moment, so a flip is never expected on the next request.
 */
class HealthProbeIT {
  private static final String H2_BUNDLE = "org.dittofs.metadata.store.h2";
  private static final Pattern BUNDLE_ID =
      Pattern.compile(
          "(?m)^\\s*(\\d+)\\|(\\w+)\\s*\\|\\s*\\d+\\|" + Pattern.quote(H2_BUNDLE) + " ");
  private static final String FELIX_TXT = "/system/health.txt?tags=dittofs";
  private static final String FELIX_JSON = "/system/health.json?tags=dittofs";
  private static final String FELIX_HTML = "/system/health.html?tags=dittofs";

  @TempDir Path dir;

  @Test
  void healthGoesCriticalWhenTheStoreStopsAndOkWhenItReturns() throws Exception {
    try (RunningServer server = RunningServer.start(dir)) {
      server.shell("lock:acquire alice report.txt 0 100", "GRANTED");

      HttpResponse<String> ok = server.awaitHttp("/health", r -> r.statusCode() == 200);
      assertThat(ok.body().lines())
          .containsExactly(
              "OK",
              "OK                        dittofs-grace: not in a grace period",
              "OK                        dittofs-metadata-attached: the metadata service is"
                  + " attached to store h2",
              "OK                        dittofs-store: store h2 answers; no lock store writes"
                  + " pending");
      assertThat(ok.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
      assertFelixServlet(server, 200, "OK");

      String id = h2BundleId(server, "Active");
      server.shell("stop " + id, "g! ");
      h2BundleId(server, "Resolved");

      // each check's result is cached on its own for a moment: 503 may come while one of the two
      // checks that see the store gone still answers from its cache, so wait for both
      HttpResponse<String> critical =
          server.awaitHttp(
              "/health",
              r ->
                  r.statusCode() == 503
                      && r.body().contains("dittofs-metadata-attached: the metadata service is")
                      && r.body().contains("attached to no store")
                      && r.body().contains("dittofs-store: no store is bound"));
      assertThat(critical.body().lines().toList()).first().isEqualTo("CRITICAL");
      assertThat(critical.body())
          .contains("CRITICAL                  dittofs-metadata-attached: the metadata service is")
          .contains("attached to no store")
          .contains("CRITICAL                  dittofs-store: no store is bound");
      assertFelixServlet(server, 503, "CRITICAL");
      server.shell("lock:acquire bob notes.txt 0 10", "STORE_UNAVAILABLE");
      server.shell("lock:list report.txt", "alice");

      server.shell("start " + id, "g! ");
      h2BundleId(server, "Active");
      HttpResponse<String> back = server.awaitHttp("/health", r -> r.statusCode() == 200);
      assertThat(back.body()).startsWith("OK\n").doesNotContain("CRITICAL");
      assertFelixServlet(server, 200, "OK");
      server.shell("lock:list report.txt", "alice");
      server.shell("lock:acquire bob notes.txt 0 10", "GRANTED");

      PrometheusText metrics = PrometheusText.parse(server.get("/metrics").body());
      // the store left (the manager detached) and came back (records copied into it)
      assertThat(metrics.require("dittofs_lock_store_swap_seconds_count")).isEqualTo(2);
      assertThat(metrics.require("dittofs_lock_locks")).isEqualTo(2);
      // the request made while no store was bound, counted by its reason
      assertThat(
              metrics.require(
                  "dittofs_lock_denials_total",
                  "flavour",
                  "posix",
                  "type",
                  "exclusive",
                  "reason",
                  "store_unavailable"))
          .isEqualTo(1);
    }
  }

  /** The Felix Health Checks' own servlet agrees: status, text, JSON and HTML. */
  private static void assertFelixServlet(RunningServer server, int status, String overall)
      throws InterruptedException {
    HttpResponse<String> txt = server.awaitHttp(FELIX_TXT, r -> r.statusCode() == status);
    assertThat(txt.body().strip()).isEqualTo(overall);
    HttpResponse<String> json = server.awaitHttp(FELIX_JSON, r -> r.statusCode() == status);
    assertThat(json.body())
        .contains("\"overallResult\":\"" + overall + "\"")
        .contains("\"name\":\"dittofs-grace\"")
        .contains("\"name\":\"dittofs-metadata-attached\"")
        .contains("\"name\":\"dittofs-store\"");
    HttpResponse<String> html = server.awaitHttp(FELIX_HTML, r -> r.statusCode() == status);
    assertThat(html.body())
        .contains("<strong>Overall Result: " + overall + "</strong>")
        .contains("dittofs-store");
  }

  /** The H2 store bundle's id, read from {@code lb -s} once it is in {@code state}. */
  private static String h2BundleId(RunningServer server, String state) throws Exception {
    String listing = server.shell("lb -s " + H2_BUNDLE, "|" + state);
    Matcher m = BUNDLE_ID.matcher(listing);
    assertThat(m.find()).as("no line for %s in:%n%s", H2_BUNDLE, listing).isTrue();
    assertThat(m.group(2)).isEqualTo(state);
    return m.group(1);
  }
}
