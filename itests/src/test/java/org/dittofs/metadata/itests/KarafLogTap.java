package org.dittofs.metadata.itests;

import java.util.Hashtable;
import org.ops4j.pax.logging.spi.PaxAppender;
import org.ops4j.pax.logging.spi.PaxLoggingEvent;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;

/**
 * In Karaf, hands the lines of the project's loggers to a {@link SwapLog}: a PaxAppender service,
 * which Karaf's pax-logging configuration feeds with every event (its {@code PaxOsgi} appender,
 * filter {@code *}, the way {@code log:display} gets them), with the bundle each line is attributed
 * to. Loaded only in Karaf: native Felix has no pax-logging.
 */
final class KarafLogTap implements PaxAppender {
  private final SwapLog log;

  private KarafLogTap(SwapLog log) {
    this.log = log;
  }

  /** Registers a tap feeding {@code log}; returns what unregisters it. Karaf only. */
  static AutoCloseable attach(SwapLog log) {
    BundleContext context = FrameworkUtil.getBundle(SwapLog.class).getBundleContext();
    Hashtable<String, Object> props = new Hashtable<>();
    props.put("org.ops4j.pax.logging.appender.name", "dittofs-itest");
    ServiceRegistration<PaxAppender> r =
        context.registerService(PaxAppender.class, new KarafLogTap(log), props);
    return r::unregister;
  }

  @Override
  public void doAppend(PaxLoggingEvent e) {
    String name = e.getLoggerName();
    if (name == null || !name.startsWith("org.dittofs.metadata")) {
      return;
    }
    int syslog = e.getLevel().getSyslogEquivalent(); // 3 error, 4 warning, 6 info
    Object bundle = e.getProperties() == null ? null : e.getProperties().get("bundle.name");
    log.record(
        syslog <= 4,
        syslog <= 3 ? "ERROR" : syslog == 4 ? "WARN" : "INFO",
        name,
        e.getMessage(),
        bundle == null ? "(none)" : bundle.toString());
  }
}
