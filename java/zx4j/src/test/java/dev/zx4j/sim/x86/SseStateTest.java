package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Zx;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * What gates the MMX/SSE unit and its state instructions (Intel SDM vol. 3 §2.5, §13; vol. 2
 * exception tables) and the XCR0 rules the modelled kernel applies to XSETBV.
 */
class SseStateTest {
    private final SseCpuRunner runner = new SseCpuRunner();
    private final X86Cpu cpu = runner.cpu();

    private static SseCase snippet(int... bytes) {
        byte[] code = new byte[bytes.length];
        for (int k = 0; k < bytes.length; k++) {
            code[k] = (byte) bytes[k];
        }
        long[] g = new long[16];
        g[15] = SseCaseGenerator.BASE;
        byte[] fx = new byte[512];
        ByteBuffer f = SseCase.le(fx);
        f.putShort(0, (short) 0x037F);
        f.putInt(24, 0x1F80);
        f.putLong(160, 0x3FF0000000000000L); // xmm0 = 1.0
        f.putLong(176, 0);                    // xmm1 = +0
        return new SseCase("test", code, g, 0, fx, new byte[SseCase.MEM_SIZE]);
    }

    private static final int[] ADDPD = {0x66, 0x0F, 0x58, 0xC1};         // addpd xmm0, xmm1
    private static final int[] DIVSD = {0xF2, 0x0F, 0x5E, 0xC1};         // divsd xmm0, xmm1
    private static final int[] PADDB_MM = {0x0F, 0xFC, 0xC1};            // paddb mm0, mm1
    private static final int[] FXSAVE = {0x41, 0x0F, 0xAE, 0x47, 0xC0};  // fxsave [r15-64]
    private static final int[] LDMXCSR = {0x41, 0x0F, 0xAE, 0x57, 0xC0}; // ldmxcsr [r15-64]

    @Test
    void cr0TsGivesDeviceNotAvailable() {
        cpu.cr0 |= Sse.CR0_TS;
        assertEquals(7, runner.run(snippet(ADDPD)).trap, "SSE with CR0.TS");
        assertEquals(7, runner.run(snippet(PADDB_MM)).trap, "MMX with CR0.TS");
        assertEquals(7, runner.run(snippet(FXSAVE)).trap, "FXSAVE with CR0.TS");
    }

    @Test
    void cr0EmGivesInvalidOpcodeButFxsaveDeviceNotAvailable() {
        cpu.cr0 |= Sse.CR0_EM;
        assertEquals(6, runner.run(snippet(ADDPD)).trap);
        assertEquals(6, runner.run(snippet(PADDB_MM)).trap);
        assertEquals(7, runner.run(snippet(FXSAVE)).trap);
    }

    @Test
    void withoutOsfxsrSseIsInvalidButMmxRuns() {
        cpu.cr4 &= ~Sse.CR4_OSFXSR;
        assertEquals(6, runner.run(snippet(ADDPD)).trap);
        assertEquals(6, runner.run(snippet(LDMXCSR)).trap);
        assertEquals(-1, runner.run(snippet(PADDB_MM)).trap);
    }

    @Test
    void unmaskedExceptionIsXmOrUdByOsxmmexcpt() {
        SseCase c = snippet(DIVSD);
        SseCase.le(c.fx).putInt(24, 0x1F80 & ~(SoftFp.ZE << 7)); // divide-by-zero unmasked
        SseCase.Result r = runner.run(c);
        assertEquals(19, r.trap);
        assertEquals(0x1F80 & ~(SoftFp.ZE << 7) | SoftFp.ZE, SseCase.le(r.fx).getInt(24), "ZE set");
        assertEquals(0x3FF0000000000000L, SseCase.le(r.fx).getLong(160), "destination unchanged");
        cpu.cr4 &= ~Sse.CR4_OSXMMEXCPT;
        assertEquals(6, runner.run(c).trap);
    }

    @Test
    void ldmxcsrReservedBitsGiveGeneralProtection() {
        SseCase c = snippet(LDMXCSR);
        SseCase.le(c.mem).putInt(0, 0x10000 | 0x1F80);
        assertEquals(13, runner.run(c).trap);
        SseCase.le(c.mem).putInt(0, 0x9FC0);
        SseCase.Result r = runner.run(c);
        assertEquals(-1, r.trap);
        assertEquals(0x9FC0, SseCase.le(r.fx).getInt(24));
    }

    @Test
    void xgetbvAndXsetbvFollowXcr0Rules() {
        // xgetbv with ecx = 0
        SseCase c = snippet(0x0F, 0x01, 0xD0);
        c.gpr[1] = 0;
        SseCase.Result r = runner.run(c);
        assertEquals(-1, r.trap);
        assertEquals(3, r.gpr[0]);
        assertEquals(0, r.gpr[2]);
        c.gpr[1] = 1;
        assertEquals(13, runner.run(c).trap, "XGETBV ecx=1 (XINUSE not advertised)");
        // xsetbv: x87 only is accepted
        SseCase set = snippet(0x0F, 0x01, 0xD1);
        set.gpr[0] = 1;
        assertEquals(-1, runner.run(set).trap);
        assertEquals(1, cpu.xcr0);
        // an invalid value ends the run with INVALID_ARGS instead of #GP (as the kernel does)
        for (long bad : new long[] {0, 2, 7, 4 | 1}) {
            set.gpr[0] = bad;
            SseCase.Result e = runner.run(set);
            assertEquals(-2, e.trap, "XSETBV " + bad);
            assertTrue(e.note.contains("status=" + Zx.ZX_ERR_INVALID_ARGS), e.note);
        }
        cpu.cr4 &= ~Sse.CR4_OSXSAVE;
        set.gpr[0] = 3;
        assertEquals(6, runner.run(set).trap, "XSETBV without CR4.OSXSAVE");
        assertEquals(6, runner.run(c).trap, "XGETBV without CR4.OSXSAVE");
    }

    @Test
    void cpuidAdvertisesTheImplementedFamilies() {
        SseCase c = snippet(0x0F, 0xA2);
        c.gpr[0] = 1;
        SseCase.Result r = runner.run(c);
        long ecx = r.gpr[1];
        long edx = r.gpr[2];
        long sse = (1L << 23) | (1L << 24) | (1L << 25) | (1L << 26); // MMX FXSR SSE SSE2
        assertEquals(sse, edx & sse);
        long ext = 1L | (1L << 9) | (1L << 19) | (1L << 20) | (1L << 23) | (1L << 26) | (1L << 27);
        assertEquals(ext, ecx & ext, "SSE3 SSSE3 SSE4.1 SSE4.2 POPCNT XSAVE OSXSAVE");
        assertEquals(0, ecx & ((1L << 28) | (1L << 1) | (1L << 12)), "no AVX, PCLMULQDQ, FMA");
        c.gpr[0] = 0xD;
        c.gpr[1] = 0;
        r = runner.run(c);
        assertEquals(3, r.gpr[0], "XCR0 components x87|SSE");
        assertEquals(576, r.gpr[3]);
        assertEquals(576, r.gpr[1]);
        c.gpr[1] = 1;
        assertEquals(0, runner.run(c).gpr[0], "no XSAVEOPT/XSAVEC/XGETBV1/XSAVES");
    }

    @Test
    void extendedStateSurvivesExitsAndSseBeingDisabled() {
        // movq xmm9, rax; out 0x80, al (an IO exit); mov cr4, rbx (OSFXSR off); out; mov cr4, rcx;
        // movq rdx, xmm9; hlt
        SseCase c = snippet(0x66, 0x4C, 0x0F, 0x6E, 0xC8, 0xE6, 0x80, 0x0F, 0x22, 0xE3, 0xE6, 0x80,
                0x0F, 0x22, 0xE1, 0x66, 0x4C, 0x0F, 0x7E, 0xCA);
        long cr4 = cpu.cr4;
        c.gpr[0] = 0x0123456789ABCDEFL;
        c.gpr[3] = cr4 & ~Sse.CR4_OSFXSR;
        c.gpr[1] = cr4;
        SseCase.Result r = runner.run(c); // the runner stops at the first IO exit
        assertEquals(-2, r.trap);
        assertTrue(r.note.contains("Io"), r.note);
        assertInstanceOf(VcpuExit.IoExit.class, cpu.run(100), "second exit, SSE disabled");
        assertEquals(cr4 & ~Sse.CR4_OSFXSR, cpu.cr4);
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(100));
        assertEquals(0x0123456789ABCDEFL, cpu.reg(2), "XMM9 kept across both exits");
    }
}
