package org.dittofs.metadata.store.jdbc;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;

/**
 * Metatype attributes that the configurations of several JDBC store components share, defined once.
 * A component's configuration is an interface annotated with {@code @ObjectClassDefinition} that
 * extends the ones it has: bnd writes the attributes of the extended interfaces into the
 * component's metatype after its own. Defaults are given as {@code defaultValue}, since an
 * interface method has no annotation default.
 */
public final class StoreAttributes {
  private StoreAttributes() {}

  /** The database user's password, a private property. */
  public interface Password {
    @AttributeDefinition(
        name = "Password",
        type = AttributeType.PASSWORD,
        defaultValue = "",
        description =
            "Password of the database user. A private property: never published with the"
                + " service and never logged.")
    String _password();
  }

  /** The store service's ranking, which the metadata service's choice among stores follows. */
  public interface Ranking {
    @AttributeDefinition(
        name = "Service ranking",
        defaultValue = "0",
        description = "Ranking of the store service; among matching stores the highest wins.")
    int service_ranking();
  }
}
