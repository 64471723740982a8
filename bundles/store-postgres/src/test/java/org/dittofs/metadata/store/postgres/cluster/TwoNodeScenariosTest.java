package org.dittofs.metadata.store.postgres.cluster;

/** The contract's scenarios with each owner at one of two nodes. */
class TwoNodeScenariosTest extends ClusterScenarios {
  @Override
  int nodes() {
    return 2;
  }
}
