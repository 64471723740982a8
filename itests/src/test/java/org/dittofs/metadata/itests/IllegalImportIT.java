package org.dittofs.metadata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Native Felix: the resolver enforces the layering. A bundle that imports another bundle's private
 * package ({@code org.dittofs.metadata.lock.internal}, {@code org.dittofs.metadata.internal}, a
 * store's package) stays INSTALLED: {@code resolveBundles} answers false and starting it fails. The
 * same bundle importing an API package resolves, so the refusal is about the package and nothing
 * else. The bundles are manifest-only jars made here.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class IllegalImportIT extends ItestSupport {

  @Configuration
  public Option[] config() {
    return felix(core(), memoryStore(), h2Store());
  }

  @Test
  public void importingThePrivateLockTableDoesNotResolve() throws Exception {
    assertDoesNotResolve("org.dittofs.metadata.lock.internal");
  }

  @Test
  public void importingTheMetadataInternalsDoesNotResolve() throws Exception {
    assertDoesNotResolve("org.dittofs.metadata.internal");
  }

  @Test
  public void importingAStorePackageDoesNotResolve() throws Exception {
    assertDoesNotResolve("org.dittofs.metadata.store.memory");
    assertDoesNotResolve("org.dittofs.metadata.store.h2");
  }

  @Test
  public void importingAnApiPackageResolves() throws Exception {
    Bundle b = install("org.dittofs.metadata.lock");
    try {
      assertTrue("resolves", frameworkWiring().resolveBundles(List.of(b)));
      assertEquals(Bundle.RESOLVED, b.getState());
    } finally {
      b.uninstall();
    }
  }

  private void assertDoesNotResolve(String pkg) throws Exception {
    Bundle b = install(pkg);
    try {
      assertFalse(pkg + ": resolveBundles", frameworkWiring().resolveBundles(List.of(b)));
      assertEquals(pkg + ": state", Bundle.INSTALLED, b.getState());
      try {
        b.start();
        fail("a bundle importing " + pkg + " started");
      } catch (BundleException e) {
        assertTrue(
            "the resolution error names " + pkg + ": " + e.getMessage(),
            e.getMessage().contains(pkg));
        System.out.println("[itests] import of " + pkg + " refused: " + e.getMessage());
      }
    } finally {
      b.uninstall();
    }
  }

  private FrameworkWiring frameworkWiring() {
    return context.getBundle(0).adapt(FrameworkWiring.class);
  }

  /** Installs a bundle that has nothing but a manifest importing {@code pkg}. */
  private Bundle install(String pkg) throws IOException, BundleException {
    String bsn = "itest.imports." + pkg;
    Manifest m = new Manifest();
    Attributes a = m.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.putValue("Bundle-ManifestVersion", "2");
    a.putValue("Bundle-SymbolicName", bsn);
    a.putValue("Bundle-Version", "1.0.0");
    a.putValue("Import-Package", pkg);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new JarOutputStream(bytes, m).close(); // a manifest is all it needs
    return context.installBundle("itest:" + bsn, new ByteArrayInputStream(bytes.toByteArray()));
  }
}
