package org.dittofs.metadata.lock.concurrent;

import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * {@link OneFileScenario} plus hot swaps of the store while the other threads' requests run: they
 * wait at the traffic gate and see nothing of it (the specification's swap changes nothing), and
 * after every history the store bound last equals memory. Swaps never overlap each other.
 */
public class SwapGateScenario extends OneFileScenario {
  @Operation(nonParallelGroup = "swap")
  public String swap() {
    FaultyLockStore next = new FaultyLockStore();
    m.swapStore(next, null);
    store = next;
    return "swapped";
  }
}
