package org.dittofs.metadata.store.memory;

import org.dittofs.metadata.spi.ForwardingMetadataStore;
import org.dittofs.metadata.spi.MetadataStore;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Registers an in-memory {@link MetadataStore} with {@code store.type=memory}. Needs no
 * configuration; a configuration may set its service ranking (a greedy metadata service switches to
 * the best ranked store that matches its target). Each activation starts empty; a configuration
 * change (its ranking) only updates the service properties ({@link #modified}), so the store and
 * what it holds stay.
 */
@Component(
    service = MetadataStore.class,
    configurationPid = MemoryStoreComponent.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    property = "store.type=memory")
@Designate(ocd = MemoryStoreComponent.Config.class)
public final class MemoryStoreComponent extends ForwardingMetadataStore {
  static final String PID = "org.dittofs.metadata.store.memory";

  @ObjectClassDefinition(
      name = "DittoFS memory metadata store",
      description = "Shares, files and lock records in memory; nothing survives a restart.")
  @interface Config {
    @AttributeDefinition(
        name = "Service ranking",
        description = "Ranking of the store service; among matching stores the highest wins.")
    int service_ranking() default 0;
  }

  public MemoryStoreComponent() {
    super(new MemoryMetadataStore());
  }

  /** DS republishes the service properties (the new ranking); the store itself is kept. */
  @Modified
  void modified() {}
}
