package io.github.style4j.core.testing;

import io.github.style4j.core.backend.NativeBuildSelector;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Picks the ND4J native build before any test class can touch ND4J, so that tests run on
 * the same build users get. Registered through {@code META-INF/services}; other modules
 * get it from style-core's test-jar.
 */
public final class NativeBuildLauncherListener implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeBuildSelector.select();
    }
}
