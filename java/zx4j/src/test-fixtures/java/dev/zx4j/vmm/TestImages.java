package dev.zx4j.vmm;

/** A synthetic bzImage: a setup header as boot.rst describes it, then a small "kernel". */
final class TestImages {
    private TestImages() {}

    static byte[] bzImage(int protocol, int setupSects, int kernelBytes) {
        byte[] b = new byte[(setupSects + 1) * 512 + kernelBytes];
        b[0x1F1] = (byte) setupSects;
        b[0x1FE] = 0x55;
        b[0x1FF] = (byte) 0xAA;
        b[0x200] = (byte) 0xEB;
        b[0x201] = 0x6A; // header ends at 0x26C
        put(b, 0x202, 0x53726448L, 4);
        put(b, 0x206, protocol, 2);
        b[0x211] = 0x01; // LOADED_HIGH
        put(b, 0x22C, 0x7FFF_FFFFL, 4);
        put(b, 0x230, 0x20_0000, 4);
        b[0x234] = 1;
        put(b, 0x236, 0x7F, 2);
        put(b, 0x238, 0x7FF, 4);
        put(b, 0x258, 0x100_0000, 8);
        put(b, 0x260, 0x200_0000, 4); // init_size 32 MiB
        for (int i = (setupSects + 1) * 512; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    static void put(byte[] b, int off, long v, int n) {
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static long get(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }
}
