package org.dittofs.metadata.console.internal;

import static org.dittofs.metadata.console.internal.Html.param;
import static org.dittofs.metadata.console.internal.Html.text;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dittofs.metadata.console.internal.LocksSnapshot.FileState;
import org.dittofs.metadata.console.internal.LocksSnapshot.Manager;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.host.ClientInfo;

/**
 * The HTML of the "Locks" page, inside the console's frame: store and swap, grace period, the
 * filter, the files table (one page), clients, waiters. Every value from the lock table or the
 * request is escaped ({@link Html}). Actions are forms that POST with the session's token. Element
 * ids ({@code dittofs-*}) are stable for tests and scripts. Stateless.
 */
final class LocksPage {
  private LocksPage() {}

  /**
   * @param root the plugin's URL (forms post there, links point there)
   * @param token the session's form token
   * @param flash a message from the last action, or null
   */
  static String render(
      LocksSnapshot s, Filter filter, String root, String token, String flash, String error) {
    StringBuilder h = new StringBuilder(8192);
    h.append("<div id=\"dittofs-locks\">\n");
    if (flash != null) {
      h.append("<p class=\"statline\" id=\"dittofs-flash\">").append(text(flash)).append("</p>\n");
    }
    if (error != null) {
      h.append("<p class=\"statline ui-state-error\" id=\"dittofs-error\">")
          .append(text(error))
          .append("</p>\n");
    }
    store(h, s, root, token);
    Manager m = s.manager();
    if (m == null) {
      h.append("<p id=\"dittofs-no-manager\">The metadata service has no lock manager yet: no")
          .append(" store matching store.target has been registered.</p>\n</div>\n");
      return h.toString();
    }
    grace(h, m.grace(), root, token);
    filterForm(h, filter, root);
    files(h, s, m, filter, root);
    clients(h, s, m);
    waiters(h, s, m);
    h.append("</div>\n");
    return h.toString();
  }

  private static void store(StringBuilder h, LocksSnapshot s, String root, String token) {
    h.append("<h2>Store</h2>\n<table class=\"nicetable\" id=\"dittofs-store\">\n");
    row(h, "In use", "dittofs-store-type", s.store() == null ? "(none bound)" : s.store());
    row(h, "store.target", "dittofs-store-target", s.target() == null ? "(not set)" : s.target());
    List<String> available = new ArrayList<>();
    s.available().forEach(a -> available.add(a.type() + " (ranking " + a.ranking() + ")"));
    row(
        h,
        "Available",
        "dittofs-store-available",
        available.isEmpty() ? "(none)" : String.join(", ", available));
    if (s.manager() != null) {
      row(
          h,
          "Holds",
          "dittofs-store-holds",
          s.manager().lockCount()
              + " locks, server epoch "
              + s.manager().epoch()
              + ", "
              + s.manager().pendingWrites()
              + " writes pending");
    }
    h.append("</table>\n");
    List<String> others = new ArrayList<>();
    s.available().stream()
        .map(LocksSnapshot.StoreInfo::type)
        .filter(t -> !t.equals(s.store()))
        .distinct()
        .forEach(others::add);
    if (!others.isEmpty()) {
      form(h, root, token, "swap", "dittofs-swap");
      h.append("<label>Hot-swap to <select name=\"type\" id=\"dittofs-swap-type\">");
      for (String t : others) {
        h.append("<option value=\"").append(text(t)).append("\">").append(text(t));
        h.append("</option>");
      }
      h.append("</select></label> <button type=\"submit\" id=\"dittofs-swap-submit\">Swap")
          .append(" store</button> (locks stay held; lock traffic waits during the copy)")
          .append("</form>\n");
    }
  }

  private static void grace(StringBuilder h, GraceStatus g, String root, String token) {
    h.append("<h2>Grace period</h2>\n<p id=\"dittofs-grace\">");
    if (!g.active()) {
      h.append("Not in a grace period.");
      if (g.restoredRecords() > 0) {
        h.append(" The last one restored ")
            .append(g.restoredRecords())
            .append(" records, of which ")
            .append(g.reclaimedRecords())
            .append(" were reclaimed.");
      }
      h.append("</p>\n");
      return;
    }
    h.append("Active: new locks are refused for at most ")
        .append(g.remaining().toSeconds())
        .append(" s more. ")
        .append(g.reclaimedRecords())
        .append(" of ")
        .append(g.restoredRecords())
        .append(" restored records reclaimed; ")
        .append(g.completedClients().size())
        .append(" of ")
        .append(g.expectedClients().size())
        .append(" expected clients complete.</p>\n");
    form(h, root, token, "endGrace", "dittofs-end-grace");
    h.append("<button type=\"submit\" id=\"dittofs-end-grace-submit\">End grace now</button>")
        .append(" (restored locks nobody reclaimed are released)</form>\n");
  }

  private static void filterForm(StringBuilder h, Filter f, String root) {
    h.append("<h2>Files with locks</h2>\n<form method=\"get\" action=\"")
        .append(text(root))
        .append("\" id=\"dittofs-filter\">");
    input(h, "Owner", "owner", f.owner());
    input(h, "Client", "client", f.client());
    input(h, "File", "file", f.file());
    h.append("<button type=\"submit\" id=\"dittofs-filter-submit\">Filter</button>");
    if (f.any()) {
      h.append(" <a href=\"").append(text(root)).append("\" id=\"dittofs-filter-clear\">Clear</a>");
    }
    h.append("</form>\n");
  }

  private static void files(StringBuilder h, LocksSnapshot s, Manager m, Filter f, String root) {
    List<FileState> matching = new ArrayList<>();
    for (FileState file : m.files()) {
      List<Lock> locks = file.locks().stream().filter(l -> f.matches(l, file.name())).toList();
      if (!locks.isEmpty()) {
        matching.add(new FileState(file.name(), locks, file.waiters()));
      }
    }
    int pages = Math.max(1, (matching.size() + Filter.PAGE_SIZE - 1) / Filter.PAGE_SIZE);
    int page = Math.min(f.page(), pages);
    List<FileState> shown =
        matching.subList(
            (page - 1) * Filter.PAGE_SIZE, Math.min(matching.size(), page * Filter.PAGE_SIZE));
    h.append("<p class=\"statline\" id=\"dittofs-files-summary\">")
        .append(matching.size())
        .append(matching.size() == 1 ? " file" : " files")
        .append(f.any() ? " match the filter" : " with locks")
        .append(", page ")
        .append(page)
        .append(" of ")
        .append(pages)
        .append("</p>\n");
    table(h, "files", "File", "Range", "Type", "Flavour", "Owner", "Client", "Age", "Restored");
    for (FileState file : shown) {
      for (Lock l : file.locks()) {
        boolean restored = l.epoch() < m.epoch();
        h.append("<tr class=\"dittofs-lock\">");
        cell(h, file.name(), "dittofs-file");
        cell(h, l.range().toString(), null);
        cell(h, lower(l.type()), null);
        cell(h, lower(l.flavour()), null);
        cell(h, l.owner().id(), "dittofs-owner");
        cell(h, l.client().toString(), "dittofs-client");
        cell(h, age(l.acquiredAt(), s.now()), null);
        cell(h, restored ? "restored (epoch " + l.epoch() + ")" : "", "dittofs-restored");
        h.append("</tr>\n");
      }
    }
    h.append("</tbody></table>\n");
    if (pages > 1) {
      h.append("<p id=\"dittofs-pages\">");
      for (int p = 1; p <= pages; p++) {
        if (p == page) {
          h.append("<b>").append(p).append("</b> ");
        } else {
          h.append("<a href=\"")
              .append(text(root + "?owner=" + param(f.owner()) + "&client=" + param(f.client())))
              .append(text("&file=" + param(f.file()) + "&page=" + p))
              .append("\">")
              .append(p)
              .append("</a> ");
        }
      }
      h.append("</p>\n");
    }
  }

  private static void clients(StringBuilder h, LocksSnapshot s, Manager m) {
    h.append("<h2>Clients</h2>\n");
    table(h, "clients", "Client", "Address", "Lease", "Last seen", "Locks");
    for (ClientInfo c : m.clients()) {
      h.append("<tr>");
      cell(h, c.client().toString(), null);
      cell(h, c.remoteAddress(), null);
      cell(h, lease(c), null);
      cell(h, c.lastSeen() == null ? "" : age(c.lastSeen(), s.now()) + " ago", null);
      cell(h, Long.toString(c.locks()), null);
      h.append("</tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static void waiters(StringBuilder h, LocksSnapshot s, Manager m) {
    h.append("<h2>Waiting requests</h2>\n");
    table(h, "waiters", "File", "Range", "Type", "Owner", "Client", "Waiting");
    for (FileState file : m.files()) {
      for (Lock w : file.waiters()) {
        h.append("<tr>");
        cell(h, file.name(), null);
        cell(h, w.range().toString(), null);
        cell(h, lower(w.type()), null);
        cell(h, w.owner().id(), null);
        cell(h, w.client().toString(), null);
        cell(h, age(w.acquiredAt(), s.now()), null);
        h.append("</tr>\n");
      }
    }
    h.append("</tbody></table>\n");
  }

  /** Opens table {@code dittofs-<id>} with a header row of {@code columns}. */
  private static void table(StringBuilder h, String id, String... columns) {
    h.append("<table class=\"nicetable\" id=\"dittofs-").append(id).append("\"><thead><tr>");
    for (String c : columns) {
      h.append("<th>").append(c).append("</th>");
    }
    h.append("</tr></thead><tbody>\n");
  }

  /**
   * Registered and within its lease, courtesy (silent past it), disconnected or never registered.
   */
  static String lease(ClientInfo c) {
    if (!c.connected()) {
      return c.ttl().isZero()
          ? "not registered (state restored or held without a lease)"
          : "disconnected, state kept for " + c.ttl().toSeconds() + " s";
    }
    return c.courtesy() ? "courtesy (silent past its lease)" : "active";
  }

  static String age(Instant since, Instant now) {
    Duration d = Duration.between(since, now);
    if (d.isNegative()) {
      d = Duration.ZERO;
    }
    if (d.toSeconds() < 60) {
      return d.toSeconds() + " s";
    }
    if (d.toMinutes() < 60) {
      return d.toMinutes() + " min";
    }
    return d.toHours() + " h";
  }

  private static void form(StringBuilder h, String root, String token, String action, String id) {
    h.append("<form method=\"post\" action=\"")
        .append(text(root))
        .append("\" id=\"")
        .append(id)
        .append("\"><input type=\"hidden\" name=\"action\" value=\"")
        .append(action)
        .append("\"><input type=\"hidden\" name=\"token\" value=\"")
        .append(text(token))
        .append("\">");
  }

  private static void input(StringBuilder h, String label, String name, String value) {
    h.append("<label>")
        .append(label)
        .append(" <input type=\"text\" name=\"")
        .append(name)
        .append("\" id=\"dittofs-filter-")
        .append(name)
        .append("\" maxlength=\"")
        .append(Filter.MAX_TEXT)
        .append("\" value=\"")
        .append(text(value))
        .append("\"></label> ");
  }

  private static void row(StringBuilder h, String name, String id, String value) {
    h.append("<tr><th>")
        .append(name)
        .append("</th><td id=\"")
        .append(id)
        .append("\">")
        .append(text(value))
        .append("</td></tr>\n");
  }

  private static void cell(StringBuilder h, String value, String cls) {
    h.append(cls == null ? "<td>" : "<td class=\"" + cls + "\">").append(text(value));
    h.append("</td>");
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
