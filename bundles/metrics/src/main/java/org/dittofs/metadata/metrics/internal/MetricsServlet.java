package org.dittofs.metadata.metrics.internal;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.IOException;
import java.io.OutputStream;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.dittofs.metadata.host.MetadataManager;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code GET /metrics}: the lock manager's metrics in the Prometheus text exposition format
 * (version 0.0.4), registered with the OSGi HTTP Whiteboard. Anything but GET and HEAD is 405. The
 * listener behind the counters is added when this component activates (or, if the metadata service
 * has no store yet, at the first scrape that finds one); counters count from then.
 *
 * <p>Thread-safe: the fields are final and thread-safe; the container calls it on many threads.
 */
@Component(
    service = Servlet.class,
    immediate = true,
    property = {
      "osgi.http.whiteboard.servlet.pattern=" + MetricsServlet.PATH,
      "osgi.http.whiteboard.servlet.name=dittofs-metrics"
    })
public final class MetricsServlet extends HttpServlet {
  static final String PATH = "/metrics";
  private static final long serialVersionUID = 1L;

  private final transient LockPrometheusMetrics metrics;
  private final transient ManagerAttachment attachment;
  private final transient PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  @Activate
  public MetricsServlet(@Reference MetadataManager service) {
    ManagerAttachment[] holder = new ManagerAttachment[1];
    this.metrics = new LockPrometheusMetrics(() -> holder[0].current());
    this.attachment = new ManagerAttachment(service, metrics);
    holder[0] = attachment;
    attachment.current();
  }

  @Deactivate
  void deactivate() {
    attachment.close();
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setStatus(HttpServletResponse.SC_OK);
    resp.setContentType(PrometheusTextFormatWriter.CONTENT_TYPE);
    resp.setHeader("Cache-Control", "no-store");
    try (OutputStream out = resp.getOutputStream()) {
      writer.write(out, metrics.scrape());
    }
  }
}
