package org.dittofs.metadata.internal;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.dittofs.metadata.lock.host.LockMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock metrics as a JMX MBean ({@code org.dittofs.metadata:type=LockMetrics}), the way Karaf's
 * tooling and any JMX console read them: one read-only {@code long} attribute per counter and
 * gauge, and {@code _count}, {@code _sum_nanos}, {@code _max_nanos} per histogram. Names are the
 * metric names with label punctuation flattened ({@code dittofs_locks_released_total{reason=
 * "explicit"}} becomes {@code dittofs_locks_released_total_reason_explicit}). Stateless apart from
 * the metrics it reads, which are thread-safe.
 */
final class MetricsMBean implements DynamicMBean {
  static final String NAME = "org.dittofs.metadata:type=LockMetrics";
  private static final Logger LOG = LoggerFactory.getLogger("org.dittofs.metadata");

  private final LockMetrics metrics;

  MetricsMBean(LockMetrics metrics) {
    this.metrics = metrics;
  }

  /** Registers with the platform MBean server; returns false (logged) if that fails. */
  boolean register() {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName(NAME);
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
      server.registerMBean(this, name);
      return true;
    } catch (JMException e) {
      LOG.warn("lock metrics not exposed over JMX: " + e);
      return false;
    }
  }

  static void unregister() {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName(NAME);
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (JMException e) {
      LOG.debug("lock metrics MBean already gone: " + e);
    }
  }

  /** Every attribute and its current value, flattened. */
  Map<String, Long> values() {
    LockMetrics.Snapshot s = metrics.snapshot();
    Map<String, Long> out = new TreeMap<>();
    s.counters().forEach((k, v) -> out.put(flatten(k), v));
    s.gauges().forEach((k, v) -> out.put(flatten(k), v));
    s.histograms()
        .forEach(
            (k, h) -> {
              out.put(flatten(k) + "_count", h.count());
              out.put(flatten(k) + "_sum_nanos", h.sumNanos());
              out.put(flatten(k) + "_max_nanos", h.maxNanos());
            });
    return out;
  }

  static String flatten(String metric) {
    return metric.replace('{', '_').replaceAll("[}\"]", "").replace('=', '_').replace(',', '_');
  }

  @Override
  public Object getAttribute(String attribute) throws AttributeNotFoundException {
    Long v = values().get(attribute);
    if (v == null) {
      throw new AttributeNotFoundException("no lock metric named " + attribute);
    }
    return v;
  }

  @Override
  public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
    throw new AttributeNotFoundException("lock metrics are read-only: " + attribute.getName());
  }

  @Override
  public AttributeList getAttributes(String[] attributes) {
    Map<String, Long> all = values();
    AttributeList list = new AttributeList();
    for (String a : attributes) {
      if (all.containsKey(a)) {
        list.add(new Attribute(a, all.get(a)));
      }
    }
    return list;
  }

  @Override
  public AttributeList setAttributes(AttributeList attributes) {
    return new AttributeList();
  }

  @Override
  public Object invoke(String actionName, Object[] params, String[] signature) {
    throw new UnsupportedOperationException("lock metrics have no operations: " + actionName);
  }

  @Override
  public MBeanInfo getMBeanInfo() {
    List<MBeanAttributeInfo> attrs = new ArrayList<>();
    for (String name : values().keySet()) {
      attrs.add(new MBeanAttributeInfo(name, "long", name, true, false, false));
    }
    return new MBeanInfo(
        getClass().getName(),
        "DittoFS lock manager metrics, derived from its events",
        attrs.toArray(new MBeanAttributeInfo[0]),
        null,
        null,
        null);
  }
}
