package org.dittofs.metadata.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * How a cluster node receives the notifications its connection {@code LISTEN}s to: a driver's own
 * API (pgjdbc's {@code PGConnection.getNotifications}), given by the store bundle that has the
 * driver.
 */
@FunctionalInterface
public interface ClusterNotifications {
  /** One notification: the channel it came on and its payload. */
  record Notification(String channel, String payload) {}

  /**
   * Waits at most {@code timeoutMillis} for notifications on {@code c} and returns them (empty if
   * none came).
   *
   * @throws SQLException if the connection is broken
   */
  List<Notification> poll(Connection c, int timeoutMillis) throws SQLException;
}
