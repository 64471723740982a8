package org.dittofs.metadata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.dittofs.example.nlm.NlmAdapter;
import org.dittofs.example.nlm.NlmAdapter.NlmLock;
import org.dittofs.example.nlm.NlmStatus;
import org.dittofs.metadata.lock.Lock;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Native Felix: a protocol adapter needs the adapter face alone. The example NLM adapter bundle
 * (examples/nlm-adapter, manifest computed by bnd from its bytecode) wires to exactly the adapter
 * API packages of the project - {@code org.dittofs.metadata}, {@code org.dittofs.metadata.lock},
 * {@code org.dittofs.metadata.errors} - and to no host API ({@code .host}), SPI ({@code .spi}) or
 * private package, and it serves NLM requests through the metadata service it references.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AdapterFaceIT extends ItestSupport {
  private static final String EXAMPLE = "org.dittofs.example.nlm";

  @Configuration
  public Option[] config() {
    return felix(core(), memoryStore(), exampleAdapter());
  }

  @Test
  public void theAdapterWiresOnlyToTheAdapterApi() {
    Bundle b = installed(EXAMPLE);
    BundleWiring wiring = b.adapt(BundleWiring.class);
    assertTrue(EXAMPLE + " is resolved", wiring != null && wiring.isInUse());
    Set<String> project = new TreeSet<>();
    for (BundleWire w : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
      String pkg =
          (String) w.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE);
      if (pkg.startsWith("org.dittofs.metadata")) {
        project.add(pkg);
      }
    }
    assertEquals(
        Set.of("org.dittofs.metadata", "org.dittofs.metadata.errors", "org.dittofs.metadata.lock"),
        project);
  }

  @Test
  public void theAdapterServesLocksThroughTheAdapterFace() {
    NlmAdapter nlm = awaitService(NlmAdapter.class, null);
    List<Lock> later = new ArrayList<>();
    NlmLock alpha = lock("alpha", 0, 10);
    NlmLock beta = lock("beta", 5, 10);

    assertEquals(NlmStatus.GRANTED, nlm.lock(alpha, true, false, later::add));
    assertEquals(NlmStatus.DENIED, nlm.lock(beta, false, false, later::add));
    assertTrue(nlm.test(beta, false).isPresent());
    assertEquals(NlmStatus.BLOCKED, nlm.lock(beta, true, true, later::add));
    assertEquals(NlmStatus.GRANTED, nlm.unlock(alpha));

    assertEquals(1, later.size());
    assertFalse(nlm.test(lock("gamma", 0, 5), true).isPresent());
    nlm.rebooted("beta");
    assertFalse(nlm.test(lock("gamma", 0, 20), true).isPresent());
  }

  private static NlmLock lock(String caller, long offset, long length) {
    return new NlmLock(
        SHARE,
        "adapter-face-file".getBytes(StandardCharsets.UTF_8),
        caller,
        1,
        new byte[] {9},
        offset,
        length);
  }
}
