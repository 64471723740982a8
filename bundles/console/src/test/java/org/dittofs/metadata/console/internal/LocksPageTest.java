package org.dittofs.metadata.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The page's HTML over a real lock manager: what it shows, what it filters, what it escapes. */
class LocksPageTest {
  private static final String XSS = "<script>alert('owned')</script>\"&";
  private final MetadataManager service = MetadataServices.over(new MemoryMetadataStore()).start();

  {
    service.putShare(new Share("s", LockingMode.ADVISORY));
  }

  @AfterEach
  void stop() {
    service.close();
  }

  private void lock(String file, String owner, String client, long offset) {
    LockRequest r =
        LockRequest.builder(FileHandle.of(file), LockOwner.of(owner))
            .share("s")
            .client(new LockClient(client, "nlm"))
            .posix()
            .exclusive()
            .range(ByteRange.span(offset, 10))
            .build();
    assertThat(service.lockManager().lock(r).granted()).isTrue();
  }

  private String page(Filter f) {
    LocksSnapshot s =
        new LocksSnapshot(
            "memory",
            "(store.type=memory)",
            List.of(new LocksSnapshot.StoreInfo("h2", 0), new LocksSnapshot.StoreInfo("memory", 0)),
            LocksSnapshot.read(service.lockManager()),
            Instant.now());
    return LocksPage.render(s, f, "/system/console/locks", "tok\"en", null, null);
  }

  @Test
  void ownerIdsAndFileNamesAreEscapedNeverMarkup() {
    lock("evil<b>.txt", XSS, "host-a", 0);

    String html = page(new Filter("", "", "", 1));

    assertThat(html).doesNotContain("<script>").doesNotContain("<b>.txt");
    assertThat(html)
        .contains("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;&quot;&amp;")
        .contains("evil&lt;b&gt;.txt")
        .contains("value=\"tok&quot;en\"");
  }

  @Test
  void theFilterKeepsMatchingLocksByOwnerClientOrFile() {
    lock("report.txt", "alice", "host-a", 0);
    lock("report.txt", "bob", "host-b", 20);
    lock("budget.xls", "carol", "host-a", 0);

    assertThat(page(new Filter("ALI", "", "", 1)))
        .contains(">alice<")
        .doesNotContain(">bob<")
        .contains("1 file match the filter");
    assertThat(page(new Filter("", "host-a", "", 1)))
        .contains(">alice<")
        .contains(">carol<")
        .doesNotContain(">bob<");
    assertThat(page(new Filter("", "", "budget", 1))).contains(">carol<").doesNotContain(">alice<");
    assertThat(page(new Filter("", "", "", 1))).contains("2 files with locks, page 1 of 1");
  }

  @Test
  void filesArePagedTwentyAtATime() {
    for (int i = 0; i < 25; i++) {
      lock(String.format("f%02d", i), "o" + i, "host", 0);
    }
    String first = page(new Filter("", "", "", 1));
    String second = page(new Filter("", "", "", 2));

    assertThat(first)
        .contains("25 files with locks, page 1 of 2")
        .contains(">f19<")
        .doesNotContain(">f20<");
    assertThat(second).contains("page 2 of 2").contains(">f24<").doesNotContain(">f00<");
    assertThat(first)
        .contains("href=\"/system/console/locks?owner=&amp;client=&amp;file=&amp;page=2\"");
  }

  @Test
  void theSwapFormOffersTheOtherStoresOnly() {
    String html = page(new Filter("", "", "", 1));
    assertThat(html)
        .contains("<option value=\"h2\">h2</option>")
        .doesNotContain("<option value=\"memory\"");
    assertThat(html).contains("name=\"action\" value=\"swap\"").contains("method=\"post\"");
  }

  @Test
  void badFilterInputIsRefusedWithAReason() {
    assertThatThrownBy(() -> Filter.parse("", "", "", "two"))
        .hasMessageContaining("page must be a number");
    assertThatThrownBy(() -> Filter.parse("x".repeat(300), "", "", "1"))
        .hasMessageContaining("owner filter is longer than 256");
    assertThatThrownBy(() -> Filter.parse("", "", "", "0"))
        .hasMessageContaining("page must be 1 or more");
  }
}
