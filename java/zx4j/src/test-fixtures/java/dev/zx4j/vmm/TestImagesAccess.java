package dev.zx4j.vmm;

/** {@link TestImages} for tests in other packages. */
public final class TestImagesAccess {
    private TestImagesAccess() {}

    public static byte[] bzImage(int protocol, int setupSects, int kernelBytes) {
        return TestImages.bzImage(protocol, setupSects, kernelBytes);
    }
}
