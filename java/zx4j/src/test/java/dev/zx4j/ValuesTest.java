package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Zx;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/** Rights, statuses, options and object types map to the ABI values and print symbolically. */
class ValuesTest {

    @Test
    void everyRightConstantMatchesTheAbi() throws Exception {
        int checked = 0;
        for (Field f : Zx.class.getFields()) {
            if (f.getName().startsWith("ZX_RIGHT_") && Modifier.isStatic(f.getModifiers())) {
                String name = f.getName().substring("ZX_RIGHT_".length());
                Rights r = (Rights) Rights.class.getField(name).get(null);
                assertEquals(f.getInt(null), r.bits(), name);
                checked++;
            }
        }
        assertEquals(22, checked);
        assertEquals(0x100000, Rights.MANAGE_SOCKET.bits());
        assertEquals(0x1000000, Rights.MANAGE_VMO.bits());
        assertEquals(Zx.ZX_RIGHTS_BASIC, Rights.BASIC.bits());
        assertEquals(Zx.ZX_RIGHTS_IO, Rights.IO.bits());
        assertEquals(Zx.ZX_RIGHTS_PROPERTY, Rights.PROPERTY.bits());
        assertEquals(0xC00, Rights.POLICY.bits());
        assertEquals(Zx.ZX_DEFAULT_PORT_RIGHTS, Rights.DEFAULT_PORT.bits());
        assertEquals(Zx.ZX_DEFAULT_INTERRUPT_RIGHTS, Rights.DEFAULT_INTERRUPT.bits());
        assertEquals(Zx.ZX_DEFAULT_RESOURCE_RIGHTS, Rights.DEFAULT_RESOURCE.bits());
    }

    @Test
    void rightsAreAnImmutableSet() {
        Rights rw = Rights.of(Rights.READ, Rights.WRITE);
        assertEquals(Rights.IO, rw);
        assertEquals(Rights.IO.hashCode(), rw.hashCode());
        assertTrue(rw.contains(Rights.READ));
        assertTrue(rw.contains(Rights.NONE));
        assertFalse(Rights.READ.contains(rw));
        assertEquals(Rights.of(Rights.READ, Rights.WRITE, Rights.SIGNAL), rw.union(Rights.SIGNAL));
        assertEquals(Rights.IO, rw, "union must not change its receiver");
        assertEquals(Rights.READ, rw.minus(Rights.WRITE));
        assertEquals(Rights.WRITE, rw.intersect(Rights.of(Rights.WRITE, Rights.MAP)));
        assertTrue(Rights.of().isEmpty());
        assertEquals(Rights.NONE, Rights.of());
    }

    @Test
    void rightsPrintSymbolically() {
        assertEquals("Rights[READ|WRITE]", Rights.IO.toString());
        assertEquals("Rights[NONE]", Rights.NONE.toString());
        assertEquals("Rights[SAME_RIGHTS]", Rights.SAME_RIGHTS.toString());
        assertEquals("Rights[DUPLICATE|TRANSFER|READ|WRITE|INSPECT]",
                Rights.DEFAULT_PORT.toString());
        assertEquals("Rights[SIGNAL|0x8000000]", Rights.fromBits(0x1000 | 0x8000000).toString());
    }

    @Test
    void statusesHaveSymbolicNamesAndUnknownOnesStayPrintable() throws Exception {
        int known = 0;
        for (Field f : Zx.class.getFields()) {
            String n = f.getName();
            if (n.equals("ZX_OK") || n.startsWith("ZX_ERR_")) {
                int v = f.getInt(null);
                assertEquals(n, Status.of(v).name());
                assertSame(Status.of(v), Status.of(v));
                assertTrue(Status.of(v).isKnown());
                known++;
            }
        }
        assertEquals(46, known);
        assertSame(Status.TIMED_OUT, Status.of(-21));
        assertEquals("ZX_ERR_TIMED_OUT", Status.TIMED_OUT.toString());
        assertTrue(Status.OK.isOk());
        Status odd = Status.of(-5);
        assertFalse(odd.isKnown());
        assertEquals("ZX_STATUS(-5)", odd.toString());
        assertEquals(-5, odd.raw());
        assertEquals(Status.of(-5), odd);
        assertNotSame(Status.of(-5), odd);
    }

    @Test
    void zxExceptionCarriesStatusAndSyscall() {
        ZxException e = new ZxException("zx_port_wait", Status.TIMED_OUT);
        assertEquals("zx_port_wait: ZX_ERR_TIMED_OUT", e.getMessage());
        assertSame(Status.TIMED_OUT, e.status());
        assertEquals("zx_port_wait", e.syscall());
        ZxException.check("zx_port_queue", Zx.ZX_OK); // no throw
        assertEquals(Status.BAD_STATE, assertThrows(ZxException.class,
                () -> ZxException.check("x", Zx.ZX_ERR_BAD_STATE)).status());
    }

    @Test
    void optionsMapToTheAbiBits() {
        assertEquals(Zx.ZX_PORT_BIND_TO_INTERRUPT, PortOptions.BIND_TO_INTERRUPT.bits());
        assertEquals(0, PortOptions.toBits());
        assertEquals(Zx.ZX_INTERRUPT_VIRTUAL, InterruptOptions.toBits(InterruptOptions.VIRTUAL));
        assertEquals(Zx.ZX_INTERRUPT_REMAP_IRQ | Zx.ZX_INTERRUPT_MODE_LEVEL_HIGH,
                InterruptOptions.toBits(InterruptOptions.REMAP_IRQ,
                        InterruptOptions.MODE_LEVEL_HIGH));
        assertEquals(Zx.ZX_INTERRUPT_MODE_EDGE_BOTH,
                InterruptOptions.toBits(InterruptOptions.MODE_EDGE_BOTH));
        assertEquals(Zx.ZX_INTERRUPT_MODE_EDGE_LOW, InterruptOptions.MODE_EDGE_LOW.bits());
        assertEquals(Zx.ZX_INTERRUPT_MODE_EDGE_HIGH, InterruptOptions.MODE_EDGE_HIGH.bits());
        assertEquals(Zx.ZX_INTERRUPT_MODE_LEVEL_LOW, InterruptOptions.MODE_LEVEL_LOW.bits());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InterruptOptions.toBits(InterruptOptions.MODE_EDGE_LOW,
                        InterruptOptions.MODE_LEVEL_HIGH));
        assertTrue(e.getMessage().contains("at most one interrupt mode"), e.getMessage());
    }

    @Test
    void objectTypesPrintTheirNames() {
        assertEquals("PORT", ObjectType.of(Zx.ZX_OBJ_TYPE_PORT).toString());
        assertEquals("INTERRUPT", ObjectType.nameOf(Zx.ZX_OBJ_TYPE_INTERRUPT));
        assertEquals("RESOURCE", ObjectType.nameOf(Zx.ZX_OBJ_TYPE_RESOURCE));
        assertEquals("VCPU", ObjectType.nameOf(Zx.ZX_OBJ_TYPE_VCPU));
        assertEquals("OBJ_TYPE(99)", ObjectType.of(99).toString());
        assertEquals(ObjectType.of(99), ObjectType.of(99));
    }

    @Test
    void nativeKernelExplainsWhyItIsUnavailable() {
        NativeKernelUnavailableException e =
                assertThrows(NativeKernelUnavailableException.class, Kernel::nativeKernel);
        assertTrue(e.getMessage().contains("dev.zx4j.jni.NativeKernel"), e.getMessage());
        assertTrue(e.getMessage().contains("running on " + System.getProperty("os.name")),
                e.getMessage());
    }
}
