package org.dittofs.metadata.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Configuration of the metadata service and its lock manager (PID org.dittofs.metadata.service), as
 * the metatype service describes it. The component reads the configuration itself ({@link
 * ServiceSettings}): a value outside these types and ranges is refused with one log line and the
 * value in force stays.
 */
@ObjectClassDefinition(
    name = "DittoFS metadata service",
    description =
        "The metadata service and the lock manager it owns: which store it binds, lock limits,"
            + " timeouts, grace and fairness. Changes apply without a restart.")
@interface MetadataServiceConfig {
  @AttributeDefinition(
      name = "Store target",
      description =
          "LDAP filter selecting the MetadataStore service to bind, e.g. (store.type=h2)."
              + " Changing it hot-swaps the store while locks are held.")
  String store_target() default "(store.type=memory)";

  @AttributeDefinition(
      name = "Locks per file",
      description = "Most lock records on one file; 0 or less disables the limit.")
  int max_locks_per_file() default 1000;

  @AttributeDefinition(
      name = "Locks per client",
      description = "Most lock records of one client; 0 or less disables the limit.")
  int max_locks_per_client() default 10000;

  @AttributeDefinition(
      name = "Locks in total",
      description = "Most lock records in the server; 0 or less disables the limit.")
  int max_locks_total() default 100000;

  @AttributeDefinition(
      name = "Waiters per file",
      description = "Most blocking requests queued on one file; 0 or less disables the limit.")
  int max_waiters_per_file() default 100;

  @AttributeDefinition(
      name = "Owner id length",
      description = "Longest lock owner id in UTF-8 bytes; 0 or less disables the limit.")
  int max_owner_id_bytes() default 1024;

  @AttributeDefinition(
      name = "Connections per adapter",
      description = "Most registered clients per protocol adapter; 0 or less disables the limit.")
  int max_connections_per_adapter() default 10000;

  @AttributeDefinition(
      name = "Lock timeout (s)",
      description = "How long a blocking lock request waits by default, 1 s to 1 day.",
      min = "1",
      max = "86400")
  long lock_timeout_seconds() default 60;

  @AttributeDefinition(
      name = "Lease time (s)",
      description = "Silence after which a client becomes a courtesy client, 1 s to 1 day.",
      min = "1",
      max = "86400")
  long lease_time_seconds() default 90;

  @AttributeDefinition(
      name = "Grace period (s)",
      description = "Length of the grace period after a restart, 0 to 1 day.",
      min = "0",
      max = "86400")
  long grace_period_seconds() default 90;

  @AttributeDefinition(
      name = "Store retry interval (ms)",
      description = "Pause between retries of releases that must reach the store, 1 ms to 1 h.",
      min = "1",
      max = "3600000")
  long store_retry_interval_millis() default 1000;

  @AttributeDefinition(
      name = "Fairness",
      description = "FIFO: new requests never overtake queued waiters. BARGING: kernel behaviour.",
      options = {
        @Option(label = "FIFO", value = "FIFO"),
        @Option(label = "BARGING", value = "BARGING")
      })
  String fairness() default "FIFO";

  @AttributeDefinition(
      name = "Orphan sweep interval (s)",
      description = "How often lock records of removed files are swept; 0 disables the sweep.",
      min = "0",
      max = "86400")
  long sweep_interval_seconds() default 600;
}
