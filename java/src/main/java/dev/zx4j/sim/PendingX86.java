package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;

/** Interim engine until the software x86-64 CPU is wired in: every run fails NOT_SUPPORTED. */
final class PendingX86 {
    private PendingX86() {}

    static final VcpuEngines FACTORY = (bus, boot, entry) -> new VcpuEngine() {
        @Override
        public Exit run() {
            return new Failure(ZX_ERR_NOT_SUPPORTED, "no x86 engine wired in yet");
        }

        @Override
        public void requestStop() {}

        @Override
        public boolean externalInterruptsEnabled() {
            return false;
        }

        @Override
        public Exit deliver(int vector) {
            return run();
        }

        @Override
        public void readState(byte[] state) {}

        @Override
        public void writeState(byte[] state) {}

        @Override
        public void writeIo(int size, int data) {}

        @Override
        public long instructions() {
            return 0;
        }
    };
}
