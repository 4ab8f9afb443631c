package dev.zx4j.sim.x86;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JDK Flight Recorder events of the software VCPU: VCPU exits, interrupt deliveries, block
 * translations and code invalidations. They cost nothing while a recording does not enable them
 * (HotSpot removes a disabled event's allocation and commit); {@code -Dzx4j.jfr.events=false}
 * leaves the event code out altogether, which {@code VcpuExitBench} uses to show that.
 *
 * <p>Record a run of the guest runner and read it:
 * <pre>
 * MAVEN_OPTS="-XX:StartFlightRecording=filename=run.jfr,settings=profile" mvn -q compile exec:java
 * jfr print --events dev.zx4j.VcpuExit,dev.zx4j.BlockTranslation run.jfr
 * jfr summary run.jfr
 * </pre>
 * or open {@code run.jfr} in JDK Mission Control (Event Browser, category "zx4j").
 */
final class CpuEvents {
    private CpuEvents() {
    }

    /** False with {@code -Dzx4j.jfr.events=false}: no event code runs at all. */
    static final boolean ON = !"false".equalsIgnoreCase(System.getProperty("zx4j.jfr.events"));

    @Name("dev.zx4j.VcpuExit")
    @Label("VCPU Exit")
    @Category({"zx4j", "VCPU"})
    @Description("One X86Cpu.run: from entry to the exit it returned")
    @StackTrace(false)
    static final class VcpuExitEvent extends Event {
        @Label("Exit")
        String exit;
        @Label("Instructions")
        @Description("Guest instructions retired by the run")
        long instructions;
        @Label("RIP")
        long rip;
        @Label("APIC ID")
        int apicId;
    }

    @Name("dev.zx4j.InterruptDelivery")
    @Label("Interrupt Delivery")
    @Category({"zx4j", "VCPU"})
    @Description("A vector injected by the kernel delivered through the guest IDT/IVT")
    @StackTrace(false)
    static final class InterruptDeliveryEvent extends Event {
        @Label("Vector")
        int vector;
        @Label("Delivered")
        @Description("False if delivery ended the run (a fault while delivering it)")
        boolean delivered;
        @Label("APIC ID")
        int apicId;
    }

    @Name("dev.zx4j.BlockTranslation")
    @Label("Block Translation")
    @Category({"zx4j", "VCPU", "Translator"})
    @Description("Hot guest code translated to a JVM hidden class")
    @StackTrace(false)
    static final class BlockTranslationEvent extends Event {
        @Label("Address")
        @Description("Linear address of the unit's first block")
        long address;
        @Label("Blocks")
        int blocks;
        @Label("Bytecode")
        @DataAmount
        int bytecode;
        @Label("Translated")
        @Description("False if the region could not be translated (it stays compiled ops)")
        boolean translated;
    }

    @Name("dev.zx4j.CodeInvalidation")
    @Label("Code Invalidation")
    @Category({"zx4j", "VCPU", "Translator"})
    @Description("Decoded and translated code of a guest page dropped (written, or all code dropped)")
    @StackTrace(false)
    static final class CodeInvalidationEvent extends Event {
        @Label("Guest-Physical Page")
        @Description("Page address, or -1 when all code was dropped")
        long page;
        @Label("Blocks")
        int blocks;
        @Label("Units")
        @Description("Translated units among them")
        int units;
    }
}
