package org.dittofs.metadata.health.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code GET /health}: runs the health checks tagged {@value Checks#TAG} through the Felix Health
 * Check executor and answers with an HTTP status a probe can use: 200 when the worst result is OK
 * or WARN (the grace period after a restart is a warning: the server answers), 503 when it is
 * TEMPORARILY_UNAVAILABLE, CRITICAL or HEALTH_CHECK_ERROR, and 503 when no check is registered (a
 * probe must never read "healthy" from an empty run). The body is plain text: the overall status on
 * the first line, then one line per check with its status and message.
 *
 * <p>The executor caches results for a short time (its {@code resultCacheTtlInMs}, 2 s by default),
 * so probes can be frequent. Thread-safe: the only field is final.
 */
@Component(
    service = Servlet.class,
    property = {
      "osgi.http.whiteboard.servlet.pattern=" + HealthServlet.PATH,
      "osgi.http.whiteboard.servlet.name=dittofs-health"
    })
public final class HealthServlet extends HttpServlet {
  static final String PATH = "/health";
  private static final long serialVersionUID = 1L;

  private final transient HealthCheckExecutor executor;

  @Activate
  public HealthServlet(@Reference HealthCheckExecutor executor) {
    this.executor = executor;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    List<HealthCheckExecutionResult> results =
        executor.execute(HealthCheckSelector.tags(Checks.TAG)).stream()
            .sorted(Comparator.comparing(r -> r.getHealthCheckMetadata().getName()))
            .toList();
    Result.Status overall =
        results.stream()
            .map(r -> r.getHealthCheckResult().getStatus())
            .max(Comparator.naturalOrder())
            .orElse(Result.Status.CRITICAL);
    resp.setStatus(httpStatus(overall, results.isEmpty()));
    resp.setContentType("text/plain;charset=UTF-8");
    resp.setHeader("Cache-Control", "no-store");
    PrintWriter out = resp.getWriter();
    out.println(overall);
    if (results.isEmpty()) {
      out.println("no health check tagged '" + Checks.TAG + "' is registered");
    }
    for (HealthCheckExecutionResult r : results) {
      Result result = r.getHealthCheckResult();
      out.println(
          pad(result.getStatus().toString())
              + r.getHealthCheckMetadata().getName()
              + ": "
              + message(result));
    }
    out.flush();
  }

  /** 200 for OK and WARN, 503 for everything worse or an empty run. */
  static int httpStatus(Result.Status overall, boolean noChecks) {
    if (noChecks) {
      return HttpServletResponse.SC_SERVICE_UNAVAILABLE;
    }
    return overall.compareTo(Result.Status.WARN) <= 0
        ? HttpServletResponse.SC_OK
        : HttpServletResponse.SC_SERVICE_UNAVAILABLE;
  }

  private static String message(Result result) {
    StringBuilder b = new StringBuilder();
    for (ResultLog.Entry e : result) {
      if (!e.isDebug()) {
        b.append(b.length() == 0 ? "" : "; ").append(e.getMessage());
      }
    }
    return b.toString();
  }

  private static String pad(String status) {
    return String.format("%-" + 26 + "s", status);
  }
}
