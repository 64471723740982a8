package org.dittofs.metadata.runnable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.dittofs.metadata.metrics.testing.PrometheusText;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator's tour, in a real browser (Debian's headless Chromium through chromedriver) against
 * the runnable jar: the demo runs and leaves its locks in ./data; the server started over that
 * directory restores them and is in the grace period. The operator logs in to the web console, sees
 * the demo's locks (restored) on the Locks page, filters them, ends grace, watches a lock whose
 * owner id is an XSS attempt render as text, swaps the store and sees the page change; {@code
 * /metrics} and {@code /health} answer over HTTP along the way. Screenshots go to {@code
 * target/screenshots}.
 *
 * <p>Chromium is required, never skipped: without it the test fails saying how to install it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target", "screenshots");
  static final String XSS_OWNER = "<img src=x onerror=alert(1)>";

  @TempDir static Path dir;
  static RunningServer server;
  static WebDriver browser;

  @BeforeAll
  static void demoThenServerThenBrowser() throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new AssertionError(
          "the browser test needs Debian's headless Chromium and its driver at "
              + CHROMIUM
              + " and "
              + CHROMEDRIVER
              + ": install them with `apt-get install -y chromium chromium-driver` (.ci/run does)");
    }
    assertThat(RunningServer.runToEnd(dir, "demo")).as("demo exit code").isZero();
    server = RunningServer.start(dir);
    Files.createDirectories(SHOTS);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1400",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  private static String page() {
    return server.base() + "/system/console/locks";
  }

  private static WebElement id(String id) {
    return new WebDriverWait(browser, Duration.ofSeconds(30))
        .until(d -> d.findElements(By.id(id)).stream().findFirst().orElse(null));
  }

  private static List<String> column(String cls) {
    return browser.findElements(By.cssSelector("#dittofs-files td." + cls)).stream()
        .map(WebElement::getText)
        .toList();
  }

  private static void shot(String name) throws IOException {
    Path png = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  @Order(1)
  void withoutCredentialsTheConsoleRefusesAndWithThemShowsTheDemosRestoredLocks() throws Exception {
    browser.get(page());
    assertThat(browser.getPageSource()).doesNotContain("Files with locks");
    assertThat(server.get("/system/console/locks").statusCode()).isEqualTo(401);

    browser.get(page().replace("http://", "http://admin:admin@"));
    assertThat(id("dittofs-store-type").getText()).isEqualTo("h2");
    assertThat(id("dittofs-grace").getText()).startsWith("Active: new locks are refused");
    assertThat(column("dittofs-owner")).contains("alice", "bob", "carol", "dave");
    assertThat(column("dittofs-restored")).allMatch(r -> r.startsWith("restored (epoch 1)"));
    assertThat(id("dittofs-files-summary").getText()).isEqualTo("2 files with locks, page 1 of 1");
    shot("01-locks-in-grace");
  }

  @Test
  @Order(2)
  void theFilterKeepsOneOwnersLocks() throws Exception {
    browser.get(page());
    id("dittofs-filter-owner").sendKeys("alice");
    id("dittofs-filter-submit").click();
    new WebDriverWait(browser, Duration.ofSeconds(30))
        .until(d -> d.getCurrentUrl().contains("owner=alice"));
    assertThat(column("dittofs-owner")).isNotEmpty().containsOnly("alice");
    assertThat(id("dittofs-files-summary").getText()).contains("match the filter");
    shot("02-filtered-by-owner");
    id("dittofs-filter-clear").click();
  }

  @Test
  @Order(3)
  void endGraceNowReleasesWhatNobodyReclaimedAndHealthStopsWarning() throws Exception {
    assertThat(server.get("/health").body()).startsWith("WARN");
    browser.get(page());
    id("dittofs-end-grace-submit").click();

    assertThat(id("dittofs-flash").getText()).startsWith("Grace period ended by admin");
    assertThat(id("dittofs-grace").getText()).startsWith("Not in a grace period.");
    assertThat(browser.findElements(By.id("dittofs-end-grace"))).isEmpty();
    assertThat(column("dittofs-owner")).isEmpty(); // nobody reclaimed: all released
    // the health executor caches results for a moment: the probe turns OK within it
    assertThat(server.awaitHttp("/health", r -> r.body().startsWith("OK")).statusCode())
        .isEqualTo(200);
    PrometheusText metrics = PrometheusText.parse(server.get("/metrics").body());
    assertThat(metrics.require("dittofs_lock_grace_active")).isZero();
    assertThat(metrics.require("dittofs_lock_locks")).isZero();
    assertThat(metrics.require("dittofs_lock_releases_total", "reason", "grace_expired"))
        .isPositive();
    shot("03-grace-ended");
  }

  @Test
  @Order(4)
  void anOwnerIdThatIsMarkupIsShownAsText() throws Exception {
    server.shell("lock:acquire '" + XSS_OWNER + "' evil.txt 0 10", "GRANTED");
    server.shell("lock:acquire alice report.txt 0 100", "GRANTED");
    server.shell("lock:acquire bob report.txt 50 10", "REFUSED");

    browser.get(page());
    assertThat(column("dittofs-owner")).containsExactlyInAnyOrder("alice", XSS_OWNER);
    assertThat(browser.findElements(By.cssSelector("#dittofs-files img"))).isEmpty();
    assertThat(browser.getPageSource()).contains("&lt;img src=x onerror=alert(1)&gt;");
    try {
      browser.switchTo().alert();
      throw new AssertionError("the owner id ran as script");
    } catch (NoAlertPresentException expected) {
      // escaped: no script ran
    }
    shot("04-xss-owner-as-text");
  }

  @Test
  @Order(5)
  void aSwapFromThePageMovesTheLocksToAnotherStore() throws Exception {
    browser.get(page());
    new Select(id("dittofs-swap-type")).selectByValue("memory");
    id("dittofs-swap-submit").click();

    assertThat(id("dittofs-flash").getText()).startsWith("Swapped store h2 -> memory in");
    assertThat(id("dittofs-store-type").getText()).isEqualTo("memory");
    assertThat(id("dittofs-store-target").getText()).isEqualTo("(store.type=memory)");
    assertThat(column("dittofs-owner")).containsExactlyInAnyOrder("alice", XSS_OWNER);
    shot("05-swapped-to-memory");

    PrometheusText metrics = PrometheusText.parse(server.get("/metrics").body());
    assertThat(metrics.require("dittofs_lock_store_swap_seconds_count")).isEqualTo(1);
    assertThat(metrics.require("dittofs_lock_locks")).isEqualTo(2);
    assertThat(server.get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  @Order(6)
  void aPostWithoutTheFormTokenChangesNothing() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var post =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(page()))
            .header("Authorization", "Basic YWRtaW46YWRtaW4=") // admin:admin
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("action=swap&type=h2"))
            .build();
    var r = http.send(post, java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(403);
    browser.get(page());
    assertThat(id("dittofs-store-type").getText()).isEqualTo("memory");
  }
}
