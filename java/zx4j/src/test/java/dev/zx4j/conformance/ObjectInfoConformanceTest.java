package dev.zx4j.conformance;

import static dev.zx4j.abi.Layouts.*;
import static dev.zx4j.abi.Zx.*;
import static dev.zx4j.conformance.Zk.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.util.Arrays;

/**
 * zx_object_get_info with ZX_INFO_HANDLE_VALID and ZX_INFO_HANDLE_BASIC. (Not in the reference
 * file; behaviour from the kernel's object.cc of the modelled era: the topic switch comes first,
 * HANDLE_BASIC needs no rights, single_record_result copies the record, then actual, then avail.)
 */
class ObjectInfoConformanceTest {

    /**
     * Known divergence of the JNI bridge (dev.zx4j.jni.NativeKernel): it passes a too-short
     * optional out array as NULL (absent) instead of a faulting pointer, so the kernel cannot
     * report INVALID_ARGS. The Syscalls contract says a too-short array is a bad user pointer.
     */
    // ---- ZX_INFO_HANDLE_VALID -----------------------------------------------------------

    @KernelTest
    void handleValid(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        int none = dup(zx, p, ZX_RIGHT_NONE);
        assertEquals(ZX_OK, validity(zx, p));
        assertEquals(ZX_OK, validity(zx, none), "no rights needed");
        assertEquals(ZX_ERR_BAD_HANDLE, validity(zx, ZX_HANDLE_INVALID));
        assertEquals(ZX_ERR_BAD_HANDLE, validity(zx, 0x7FFFFFFF));
        close(zx, p, none);
        assertEquals(ZX_ERR_BAD_HANDLE, validity(zx, p));
    }

    // ---- ZX_INFO_HANDLE_BASIC -----------------------------------------------------------

    @KernelTest
    void basicReportsKoidRightsTypeAndZeroes(TestKernel k) {
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        int irq = virtualIrq(zx);
        int rsrc = k.sim().platform().createIrqResource(0, 8);

        byte[] info = new byte[INFO_HANDLE_BASIC_SIZE];
        Arrays.fill(info, (byte) 0x5A);
        long[] actual = {-1};
        long[] avail = {-1};
        assertEquals(ZX_OK, zx.zx_object_get_info(port, ZX_INFO_HANDLE_BASIC, info,
                INFO_HANDLE_BASIC_SIZE, actual, avail));
        assertEquals(1, actual[0]);
        assertEquals(1, avail[0]);
        assertEquals(ZX_DEFAULT_PORT_RIGHTS, i32(info, INFO_HANDLE_BASIC_RIGHTS));
        assertEquals(ZX_OBJ_TYPE_PORT, i32(info, INFO_HANDLE_BASIC_TYPE));
        assertNotEquals(0, i64(info, INFO_HANDLE_BASIC_KOID));
        assertEquals(0, i64(info, INFO_HANDLE_BASIC_RELATED_KOID));
        assertEquals(0, i64(info, INFO_HANDLE_BASIC_RESERVED), "reserved + padding");

        assertEquals(ZX_DEFAULT_INTERRUPT_RIGHTS, rightsOf(zx, irq));
        assertEquals(ZX_OBJ_TYPE_INTERRUPT, typeOf(zx, irq));
        assertEquals(ZX_DEFAULT_RESOURCE_RIGHTS, rightsOf(zx, rsrc));
        assertEquals(ZX_OBJ_TYPE_RESOURCE, typeOf(zx, rsrc));

        long kp = koidOf(zx, port), ki = koidOf(zx, irq), kr = koidOf(zx, rsrc);
        assertNotEquals(kp, ki);
        assertNotEquals(ki, kr);
        assertNotEquals(kp, kr);
        int d = dup(zx, irq, ZX_RIGHT_WAIT);
        assertEquals(ki, koidOf(zx, d), "a duplicate names the same object");
        assertEquals(ZX_RIGHT_WAIT, rightsOf(zx, d), "rights are the handle's, not the object's");
        close(zx, port, irq, rsrc, d);
    }

    @KernelTest
    void basicNeedsNoRights(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        int none = dup(zx, p, ZX_RIGHT_NONE);
        assertEquals(0, rightsOf(zx, none));
        assertEquals(ZX_OBJ_TYPE_PORT, typeOf(zx, none));
        close(zx, p, none);
    }

    @KernelTest
    void basicBadHandle(TestKernel k) {
        Syscalls zx = k.zx();
        byte[] info = new byte[INFO_HANDLE_BASIC_SIZE];
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_object_get_info(ZX_HANDLE_INVALID, ZX_INFO_HANDLE_BASIC,
                info, info.length, null, null));
        int p = port(zx, 0);
        close(zx, p);
        // The handle is looked up before any buffer is touched.
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_object_get_info(p, ZX_INFO_HANDLE_BASIC, null,
                INFO_HANDLE_BASIC_SIZE, new long[0], new long[0]));
    }

    @KernelTest
    void basicBufferTooSmall(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        for (long size : new long[] {0, 1, INFO_HANDLE_BASIC_SIZE - 1}) {
            byte[] info = new byte[INFO_HANDLE_BASIC_SIZE];
            Arrays.fill(info, (byte) 0x5A);
            byte[] before = info.clone();
            long[] actual = {-1};
            long[] avail = {-1};
            assertEquals(ZX_ERR_BUFFER_TOO_SMALL,
                    zx.zx_object_get_info(p, ZX_INFO_HANDLE_BASIC, info, size, actual, avail),
                    "size " + size);
            assertEquals(0, actual[0], "actual");
            assertEquals(1, avail[0], "avail");
            assertArrayEquals(before, info, "buffer untouched");
        }
        // Too small is not a fault even with a null buffer: nothing is copied.
        assertEquals(ZX_ERR_BUFFER_TOO_SMALL, zx.zx_object_get_info(p, ZX_INFO_HANDLE_BASIC, null,
                0, null, null));
        close(zx, p);
    }

    @KernelTest
    void basicOutPointerFaults(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_get_info(p, ZX_INFO_HANDLE_BASIC, null,
                INFO_HANDLE_BASIC_SIZE, null, null), "null buffer");
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_get_info(p, ZX_INFO_HANDLE_BASIC,
                new byte[INFO_HANDLE_BASIC_SIZE - 1], INFO_HANDLE_BASIC_SIZE, null, null),
                "buffer shorter than buffer_size");
        // Null actual/avail are optional and fine.
        assertEquals(ZX_OK, zx.zx_object_get_info(p, ZX_INFO_HANDLE_BASIC,
                new byte[INFO_HANDLE_BASIC_SIZE + 8], INFO_HANDLE_BASIC_SIZE + 8, null, null));
        close(zx, p);
    }

    @KernelTest
    void basicFaultingOptionalCountPointers(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_get_info(p, ZX_INFO_HANDLE_BASIC,
                new byte[INFO_HANDLE_BASIC_SIZE], INFO_HANDLE_BASIC_SIZE, new long[0], null),
                "faulting actual");
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_get_info(p, ZX_INFO_HANDLE_BASIC,
                new byte[INFO_HANDLE_BASIC_SIZE], INFO_HANDLE_BASIC_SIZE, null, new long[0]),
                "faulting avail");
        // The BUFFER_TOO_SMALL path still writes actual/avail, so a faulting one wins there too.
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_get_info(p, ZX_INFO_HANDLE_BASIC,
                null, 0, new long[0], null));
        close(zx, p);
    }

    @KernelTest
    void unknownTopicIsNotSupportedBeforeHandleLookup(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        byte[] buf = new byte[64];
        for (int topic : new int[] {0, 0x7FFFFFFF, -1}) {
            assertEquals(ZX_ERR_NOT_SUPPORTED, zx.zx_object_get_info(p, topic, buf, buf.length, null, null));
            assertEquals(ZX_ERR_NOT_SUPPORTED,
                    zx.zx_object_get_info(ZX_HANDLE_INVALID, topic, null, 0, null, null),
                    "the topic is switched on before the handle is looked up");
        }
        close(zx, p);
    }
}
