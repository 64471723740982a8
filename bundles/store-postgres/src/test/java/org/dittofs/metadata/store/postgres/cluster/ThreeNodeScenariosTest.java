package org.dittofs.metadata.store.postgres.cluster;

/** The contract's scenarios with each owner at one of three nodes. */
class ThreeNodeScenariosTest extends ClusterScenarios {
  @Override
  int nodes() {
    return 3;
  }
}
