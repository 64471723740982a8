package org.dittofs.metadata.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.store.jdbc.ClusterNotifications;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Notifications of a cluster node through pgjdbc: {@link PGConnection#getNotifications(int)}, which
 * waits on the connection's socket until a notification arrives or the timeout passes. Stateless.
 */
final class PgNotifications implements ClusterNotifications {
  @Override
  public List<Notification> poll(Connection c, int timeoutMillis) throws SQLException {
    PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(timeoutMillis);
    List<Notification> out = new ArrayList<>(got == null ? 0 : got.length);
    if (got != null) {
      for (PGNotification n : got) {
        out.add(new Notification(n.getName(), n.getParameter()));
      }
    }
    return out;
  }
}
