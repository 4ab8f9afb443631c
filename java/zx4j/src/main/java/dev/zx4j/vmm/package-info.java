/**
 * A small virtual machine monitor on the typed API: the PC devices a Linux guest needs (8250 UART,
 * 8259 PIC, 8254 PIT, I/O APIC, CMOS RTC, i8042, ACPI PM and tables, a PCI host bridge), the
 * x86 boot protocol for a bzImage ({@link dev.zx4j.vmm.LinuxBoot}), and the machine that runs it
 * ({@link dev.zx4j.vmm.LinuxMachine}). Each device is a class of its own.
 */
package dev.zx4j.vmm;
