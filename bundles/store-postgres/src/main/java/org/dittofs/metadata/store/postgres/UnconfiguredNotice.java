package org.dittofs.metadata.store.postgres;

import java.io.IOException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in one log line, when the PostgreSQL store bundle starts, that no store runs because no
 * configuration exists (the PostgreSQL store needs a server; its feature creates no configuration),
 * and how to give it one. Silent when a configuration of it or of the cluster store exists (a node
 * of a cluster, such as the runnable started with {@code -Ddittofs.cluster.url}, needs no other
 * PostgreSQL store).
 */
@Component(
    service = {},
    immediate = true)
public final class UnconfiguredNotice {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresStoreComponent.PID);

  @Activate
  public UnconfiguredNotice(@Reference ConfigurationAdmin admin) {
    String pid = PostgresStoreComponent.PID;
    String cluster = PostgresClusterStoreComponent.PID;
    Configuration[] found;
    try {
      found =
          admin.listConfigurations(
              "(|(service.pid="
                  + pid
                  + ")(service.factoryPid="
                  + pid
                  + ")(service.factoryPid="
                  + cluster
                  + "))");
    } catch (IOException | InvalidSyntaxException e) {
      return; // nothing to say for sure
    }
    if (found == null || found.length == 0) {
      LOG.info(
          pid
              + ": no configuration, so no PostgreSQL store runs; create"
              + " etc/org.dittofs.metadata.store.postgres-main.cfg (in Karaf; a template is in etc/)"
              + " with the server's url, user and .password, or a dataSource.target");
    }
  }
}
