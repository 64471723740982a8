package org.dittofs.metadata.console.internal;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.spi.MetadataStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The web console's "Locks" page ({@code /system/console/locks}): files with locks, clients,
 * waiters, the grace period and the store. The console authenticates every request before it
 * reaches this servlet (Felix Web Console: its user and password; Karaf: the JAAS realm and the
 * {@code admin} role).
 *
 * <p>GET only reads. State changes only by POST, each with the session's form token (a request
 * forged from another site has no token: 403), and answers with a redirect to the page (so a reload
 * does not repeat it): {@code action=endGrace} ends the grace period now; {@code action=swap} with
 * {@code type} sets {@code store.target} of the metadata service to that registered store type
 * through Config Admin, as {@code store:swap} does, and waits for the hot swap to finish.
 *
 * <p>Thread-safety: the fields are final and thread-safe; per-user state (token, message of the
 * last action) lives in the HTTP session.
 */
@Component(
    service = Servlet.class,
    property = {
      "felix.webconsole.label=" + LocksPlugin.LABEL,
      "felix.webconsole.title=Locks",
      "felix.webconsole.category=DittoFS"
    })
public final class LocksPlugin extends HttpServlet {
  static final String LABEL = "locks";
  static final String SERVICE_PID = "org.dittofs.metadata.service";
  static final String TARGET = "store.target";
  private static final long serialVersionUID = 1L;
  private static final String TOKEN = LocksPlugin.class.getName() + ".token";
  private static final String FLASH = LocksPlugin.class.getName() + ".flash";
  private static final Pattern STORE_TYPE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final long SWAP_WAIT_MILLIS = 30_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final transient MetadataManager service;
  private final transient StoreTarget target;
  private final transient BundleContext context;

  @Activate
  public LocksPlugin(
      @Reference MetadataManager service,
      @Reference org.osgi.service.cm.ConfigurationAdmin configurations,
      BundleContext context) {
    this.service = service;
    this.target = new StoreTarget(configurations, SERVICE_PID, TARGET);
    this.context = context;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String error = null;
    Filter filter;
    try {
      filter =
          Filter.parse(
              req.getParameter("owner"),
              req.getParameter("client"),
              req.getParameter("file"),
              req.getParameter("page"));
    } catch (IllegalArgumentException e) {
      error = e.getMessage();
      filter = new Filter("", "", "", 1);
    }
    HttpSession session = req.getSession(true);
    String flash = (String) session.getAttribute(FLASH);
    session.removeAttribute(FLASH);
    resp.setHeader("Cache-Control", "no-store");
    resp.getWriter()
        .write(LocksPage.render(snapshot(), filter, root(req), token(session), flash, error));
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    HttpSession session = req.getSession(false);
    if (session == null || !validToken(session, req.getParameter("token"))) {
      resp.sendError(
          HttpServletResponse.SC_FORBIDDEN,
          "missing or wrong form token: reload the Locks page and try again");
      return;
    }
    String action = req.getParameter("action");
    String message;
    if ("endGrace".equals(action)) {
      message = endGrace(req.getRemoteUser());
    } else if ("swap".equals(action)) {
      message = swap(req.getParameter("type"));
    } else {
      resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "unknown action: use endGrace or swap");
      return;
    }
    session.setAttribute(FLASH, message);
    resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
    resp.setHeader("Location", root(req));
  }

  private String endGrace(String user) {
    try {
      boolean active = service.lockManager().graceStatus().active();
      if (!active) {
        return "The grace period was not active: nothing changed.";
      }
      service.lockManager().endGrace();
      return "Grace period ended"
          + (user == null ? "" : " by " + user)
          + ": restored locks nobody reclaimed were released; new locks are granted.";
    } catch (StoreError e) {
      return "Grace period not ended: " + e.code() + ": " + e.getMessage();
    }
  }

  private String swap(String type) {
    if (type == null || !STORE_TYPE.matcher(type).matches()) {
      return "Not swapped: the store type must be a registered store's type (letters, digits,"
          + " '.', '_', '-').";
    }
    List<String> types = available().stream().map(LocksSnapshot.StoreInfo::type).toList();
    if (!types.contains(type)) {
      return "Not swapped: no store of type "
          + type
          + " is registered (available: "
          + String.join(", ", types)
          + ").";
    }
    String from = boundType();
    if (type.equals(from)) {
      return "Already on store " + type + ".";
    }
    long start = System.nanoTime();
    try {
      target.set("(store.type=" + type + ")");
    } catch (IOException e) {
      return "Not swapped: configuration " + SERVICE_PID + " cannot be updated: " + e.getMessage();
    }
    long deadline = start + SWAP_WAIT_MILLIS * 1_000_000;
    while (!type.equals(boundType()) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    return type.equals(boundType())
        ? "Swapped store "
            + from
            + " -> "
            + type
            + " in "
            + millis
            + " ms; the locks are held in "
            + type
            + " now."
        : "store.target is (store.type="
            + type
            + ") but the service is still on "
            + boundType()
            + " after "
            + millis
            + " ms: see the log.";
  }

  private LocksSnapshot snapshot() {
    LocksSnapshot.Manager m;
    try {
      m = LocksSnapshot.read(service.lockManager());
    } catch (StoreError e) {
      m = null; // no store bound yet: the page says so
    }
    return new LocksSnapshot(
        boundTypeOrNull(), target.get().orElse(null), available(), m, Instant.now());
  }

  private String boundTypeOrNull() {
    MetadataStore s = service.store();
    return s == null ? null : s.type();
  }

  private String boundType() {
    return Optional.ofNullable(boundTypeOrNull()).orElse("(none)");
  }

  private List<LocksSnapshot.StoreInfo> available() {
    List<LocksSnapshot.StoreInfo> out = new ArrayList<>();
    try {
      for (ServiceReference<MetadataStore> r :
          context.getServiceReferences(MetadataStore.class, null)) {
        Object ranking = r.getProperty(Constants.SERVICE_RANKING);
        out.add(
            new LocksSnapshot.StoreInfo(
                String.valueOf(r.getProperty("store.type")), ranking instanceof Integer i ? i : 0));
      }
    } catch (InvalidSyntaxException e) {
      throw new IllegalStateException(e); // a null filter is always valid
    }
    out.sort(Comparator.comparing(LocksSnapshot.StoreInfo::type));
    return out;
  }

  /** The plugin's URL as the console gives it, else the request's own. */
  private static String root(HttpServletRequest req) {
    Object root = req.getAttribute("felix.webconsole.pluginRoot");
    return root instanceof String s ? s : req.getRequestURI();
  }

  private static String token(HttpSession session) {
    String t = (String) session.getAttribute(TOKEN);
    if (t == null) {
      byte[] b = new byte[24];
      RANDOM.nextBytes(b);
      t = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      session.setAttribute(TOKEN, t);
    }
    return t;
  }

  private static boolean validToken(HttpSession session, String given) {
    Object expected = session.getAttribute(TOKEN);
    return expected instanceof String e
        && given != null
        && MessageDigest.isEqual(e.getBytes(), given.getBytes());
  }
}
