package org.dittofs.metadata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Native Felix: the resolved wiring follows the layering {@code errors <- lock <- metadata <-
 * stores}. For each project bundle, read through {@link BundleWiring}: every package it wires to
 * that comes from a project bundle comes from a bundle to its left; errors, lock and metadata wire
 * to nothing but project bundles to their left, the framework (the JRE) and the logging API ({@code
 * org.slf4j}, whichever bundle provides it: slf4j-api here, pax-logging in Karaf); each exports
 * exactly its API package and the stores export nothing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LayeringWiringIT extends ItestSupport {
  /** Position in the layering, left to right. */
  private static final Map<String, Integer> RANK =
      Map.of(
          ERRORS, 0,
          LOCK, 1,
          METADATA, 2,
          STORE_MEMORY, 3,
          STORE_H2, 3,
          STORE_POSTGRES, 3);

  /** The project packages each bundle must wire to (its left neighbours' APIs). */
  private static final Map<String, Set<String>> WIRED_PROJECT_PACKAGES =
      Map.of(
          ERRORS, Set.of(),
          LOCK, Set.of("org.dittofs.metadata.errors"),
          METADATA,
              Set.of(
                  "org.dittofs.metadata.errors",
                  "org.dittofs.metadata.lock",
                  "org.dittofs.metadata.lock.host",
                  "org.dittofs.metadata.lock.spi"),
          STORE_MEMORY, apis(),
          STORE_H2, apis(),
          STORE_POSTGRES, apis());

  private static final Map<String, Set<String>> EXPORTS =
      Map.of(
          ERRORS, Set.of("org.dittofs.metadata.errors"),
          LOCK,
              Set.of(
                  "org.dittofs.metadata.lock",
                  "org.dittofs.metadata.lock.host",
                  "org.dittofs.metadata.lock.spi"),
          METADATA,
              Set.of(
                  "org.dittofs.metadata", "org.dittofs.metadata.host", "org.dittofs.metadata.spi"),
          STORE_MEMORY, Set.of(),
          STORE_H2, Set.of(),
          STORE_POSTGRES, Set.of());

  @Configuration
  public Option[] config() {
    return felix(core(), memoryStore(), h2Store(), postgresStore("layering"));
  }

  @Test
  public void packagesComeOnlyFromTheLeft() {
    List<String> violations = new ArrayList<>();
    Map<String, Set<String>> table = new TreeMap<>();
    for (Map.Entry<String, Integer> e : RANK.entrySet()) {
      Bundle b = installed(e.getKey());
      int rank = e.getValue();
      BundleWiring wiring = b.adapt(BundleWiring.class);
      assertTrue(b.getSymbolicName() + " is resolved", wiring != null && wiring.isInUse());
      Set<String> projectPackages = new TreeSet<>();
      Set<String> lines = new TreeSet<>();
      for (BundleWire w : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
        String pkg =
            (String) w.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE);
        Bundle provider = w.getProviderWiring().getBundle();
        String from = provider.getSymbolicName();
        lines.add(pkg + " <- " + from);
        Integer providerRank = RANK.get(from);
        if (providerRank != null) {
          projectPackages.add(pkg);
          if (providerRank >= rank) {
            violations.add(b.getSymbolicName() + " wires " + pkg + " from " + from);
          }
        } else if (rank < 3 && provider.getBundleId() != 0 && !pkg.equals("org.slf4j")) {
          violations.add(
              b.getSymbolicName() + " (a core layer) wires " + pkg + " from third-party " + from);
        }
      }
      table.put(b.getSymbolicName(), lines);
      assertEquals(
          b.getSymbolicName() + " project packages",
          WIRED_PROJECT_PACKAGES.get(b.getSymbolicName()),
          projectPackages);
    }
    table.forEach((bsn, lines) -> System.out.println("[itests] wiring of " + bsn + ": " + lines));
    assertEquals("layering violations", List.of(), violations);
  }

  @Test
  public void eachBundleExportsOnlyItsApi() {
    for (Map.Entry<String, Set<String>> e : EXPORTS.entrySet()) {
      BundleWiring wiring = installed(e.getKey()).adapt(BundleWiring.class);
      Set<String> exported = new TreeSet<>();
      for (BundleCapability c : wiring.getCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
        exported.add((String) c.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE));
      }
      assertEquals(e.getKey() + " exports", e.getValue(), exported);
    }
  }

  /** What a store needs: the adapter APIs (values) and both SPIs, never a host API. */
  private static Set<String> apis() {
    return Set.of(
        "org.dittofs.metadata.errors",
        "org.dittofs.metadata.lock",
        "org.dittofs.metadata.lock.spi",
        "org.dittofs.metadata",
        "org.dittofs.metadata.spi");
  }
}
