package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_AC;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_AF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_CF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_DF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_IF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_OF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_PF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_RESERVED_ONE;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_RF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_SF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_VIF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_VIP;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_VM;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_ZF;
import static dev.zx4j.sim.x86.X86Cpu.LF_DEC;
import static dev.zx4j.sim.x86.X86Cpu.LF_INC;
import static dev.zx4j.sim.x86.X86Cpu.LF_LOGIC;
import static dev.zx4j.sim.x86.X86Cpu.LF_SUB;
import static dev.zx4j.sim.x86.X86Cpu.RAX;
import static dev.zx4j.sim.x86.X86Cpu.RBP;
import static dev.zx4j.sim.x86.X86Cpu.RBX;
import static dev.zx4j.sim.x86.X86Cpu.RCX;
import static dev.zx4j.sim.x86.X86Cpu.RDX;
import static dev.zx4j.sim.x86.X86Cpu.RSP;
import static dev.zx4j.sim.x86.X86Cpu.SS;
import static dev.zx4j.sim.x86.X86Cpu.mask;
import static dev.zx4j.sim.x86.X86Cpu.sext;
import static dev.zx4j.sim.x86.X86Cpu.signBit;

/**
 * The instruction interpreter: runs one decoded {@link Insn} on a CPU. Instruction families with
 * more than a few lines of semantics live in their own files ({@link Shifts}, {@link MulDiv},
 * {@link BitOps}, {@link StringOps}, {@link ControlFlow}); this class dispatches and keeps the
 * short forms (moves, ALU, stack, flag and system instructions).
 */
final class Interpreter {
    private Interpreter() {
    }

    static void exec(X86Cpu cpu, Insn i) {
        if (i.mem && (i.lock || i.op == Insn.XCHG)) {
            Memory.execAtomic(cpu, i); // atomic with respect to the other VCPUs' accesses
            return;
        }
        execPlain(cpu, i);
    }

    /** {@link #exec} without the atomicity of a locked read-modify-write. */
    static void execPlain(X86Cpu cpu, Insn i) {
        long next = cpu.maskIp(cpu.rip + i.len);
        cpu.nip = next;
        int s = i.opSize;
        switch (i.op) {
            case Insn.ALU_RM_R: {
                long la = i.mem ? cpu.ea(i) : 0;
                long a = i.mem ? Memory.readMem(cpu, la, s) : cpu.readReg(i.rm, s);
                long r = Flags.alu(cpu, i.sub, a, cpu.readReg(i.reg, s), s);
                if (i.sub != 7) {
                    cpu.writeRm(i, s, la, r);
                }
                Flags.commit(cpu);
                break;
            }
            case Insn.ALU_R_RM: {
                long b = cpu.readRm(i, s);
                long r = Flags.alu(cpu, i.sub, cpu.readReg(i.reg, s), b, s);
                if (i.sub != 7) {
                    cpu.writeReg(i.reg, s, r);
                }
                Flags.commit(cpu);
                break;
            }
            case Insn.ALU_RM_IMM: {
                long la = i.mem ? cpu.ea(i) : 0;
                long a = i.mem ? Memory.readMem(cpu, la, s) : cpu.readReg(i.rm, s);
                long r = Flags.alu(cpu, i.sub, a, i.imm & mask(s), s);
                if (i.sub != 7) {
                    cpu.writeRm(i, s, la, r);
                }
                Flags.commit(cpu);
                break;
            }
            case Insn.TEST_RM_R: {
                long r = cpu.readRm(i, s) & cpu.readReg(i.reg, s);
                Flags.pend(cpu, LF_LOGIC, s, 0, 0, r, 0);
                Flags.commit(cpu);
                break;
            }
            case Insn.TEST_RM_IMM: {
                long r = cpu.readRm(i, s) & i.imm & mask(s);
                Flags.pend(cpu, LF_LOGIC, s, 0, 0, r, 0);
                Flags.commit(cpu);
                break;
            }
            case Insn.INC:
            case Insn.DEC: {
                long la = i.mem ? cpu.ea(i) : 0;
                long a = i.mem ? Memory.readMem(cpu, la, s) : cpu.readReg(i.rm, s);
                boolean inc = i.op == Insn.INC;
                long r = (inc ? a + 1 : a - 1) & mask(s);
                cpu.writeRm(i, s, la, r);
                Flags.pend(cpu, inc ? LF_INC : LF_DEC, s, a, 1, r, 0);
                Flags.commit(cpu);
                break;
            }
            case Insn.NEG: {
                long la = i.mem ? cpu.ea(i) : 0;
                long a = i.mem ? Memory.readMem(cpu, la, s) : cpu.readReg(i.rm, s);
                long r = (-a) & mask(s);
                cpu.writeRm(i, s, la, r);
                Flags.pend(cpu, LF_SUB, s, 0, a, r, 0);
                Flags.commit(cpu);
                break;
            }
            case Insn.NOT: {
                long la = i.mem ? cpu.ea(i) : 0;
                long a = i.mem ? Memory.readMem(cpu, la, s) : cpu.readReg(i.rm, s);
                cpu.writeRm(i, s, la, ~a & mask(s));
                break;
            }
            case Insn.SHIFT:
                Shifts.shift(cpu, i, s);
                break;
            case Insn.SHLD:
            case Insn.SHRD:
                Shifts.doubleShift(cpu, i, s);
                break;
            case Insn.MUL:
            case Insn.IMUL1:
                MulDiv.mul1(cpu, i, s);
                break;
            case Insn.DIV:
            case Insn.IDIV:
                MulDiv.div(cpu, i, s);
                break;
            case Insn.IMUL_R_RM:
            case Insn.IMUL_R_RM_IMM: {
                long a = sext(cpu.readRm(i, s), s);
                long b = i.op == Insn.IMUL_R_RM ? sext(cpu.readReg(i.reg, s), s) : i.imm;
                long lo = a * b;
                boolean ovf;
                if (s == 8) {
                    ovf = Math.multiplyHigh(a, b) != (lo >> 63);
                } else {
                    ovf = sext(lo, s) != lo;
                }
                cpu.writeReg(i.reg, s, lo);
                Flags.setArith(cpu, (ovf ? FLAG_CF | FLAG_OF : 0) | Flags.szp(lo, s));
                break;
            }
            case Insn.MOV_RM_R: {
                long v = cpu.readReg(i.reg, s);
                if (i.mem) {
                    Memory.writeMem(cpu, cpu.ea(i), s, v);
                } else {
                    cpu.writeReg(i.rm, s, v);
                }
                break;
            }
            case Insn.MOV_R_RM:
                cpu.writeReg(i.reg, s, cpu.readRm(i, s));
                break;
            case Insn.MOV_RM_IMM:
                if (i.mem) {
                    Memory.writeMem(cpu, cpu.ea(i), s, i.imm);
                } else {
                    cpu.writeReg(i.rm, s, i.imm);
                }
                break;
            case Insn.MOV_R_IMM:
                cpu.writeReg(i.rm, s, i.imm);
                break;
            case Insn.MOVZX:
                cpu.writeReg(i.reg, s, cpu.readRm(i, i.srcSize));
                break;
            case Insn.MOVSX:
                cpu.writeReg(i.reg, s, sext(cpu.readRm(i, i.srcSize), i.srcSize));
                break;
            case Insn.LEA:
                cpu.writeReg(i.reg, s, cpu.offsetOf(i));
                break;
            case Insn.XCHG: {
                long a = cpu.readReg(i.reg, s);
                if (i.mem) {
                    long la = cpu.ea(i);
                    long b = Memory.readMem(cpu, la, s);
                    Memory.writeMem(cpu, la, s, a);
                    cpu.writeReg(i.reg, s, b);
                } else {
                    long b = cpu.readReg(i.rm, s);
                    cpu.writeReg(i.rm, s, a);
                    cpu.writeReg(i.reg, s, b);
                }
                break;
            }
            case Insn.CMPXCHG: {
                long la = i.mem ? cpu.ea(i) : 0;
                long d = i.mem ? Memory.readMem(cpu, la, s) : cpu.readReg(i.rm, s);
                long acc = cpu.readReg(RAX, s);
                Flags.alu(cpu, 7, acc, d, s);
                if (acc == d) {
                    cpu.writeRm(i, s, la, cpu.readReg(i.reg, s));
                } else {
                    if (i.mem) {
                        Memory.writeMem(cpu, la, s, d);
                    }
                    cpu.writeReg(RAX, s, d);
                }
                Flags.commit(cpu);
                break;
            }
            case Insn.XADD: {
                long la = i.mem ? cpu.ea(i) : 0;
                long d = i.mem ? Memory.readMem(cpu, la, s) : cpu.readReg(i.rm, s);
                long src = cpu.readReg(i.reg, s);
                long r = Flags.alu(cpu, 0, d, src, s);
                if (i.mem) {
                    Memory.writeMem(cpu, la, s, r);
                    cpu.writeReg(i.reg, s, d);
                } else {
                    cpu.writeReg(i.reg, s, d);
                    cpu.writeReg(i.rm, s, r);
                }
                Flags.commit(cpu);
                break;
            }
            case Insn.PUSH_R:
                cpu.push(cpu.regs[i.rm], s);
                break;
            case Insn.POP_R: {
                long v = cpu.peek(s, 0);
                cpu.setSp(cpu.regs[RSP] + s);
                cpu.writeReg(i.rm, s, v);
                break;
            }
            case Insn.PUSH_IMM:
                cpu.push(i.imm, s);
                break;
            case Insn.PUSH_RM:
                cpu.push(cpu.readRm(i, s), s);
                break;
            case Insn.POP_RM: {
                long v = cpu.peek(s, 0);
                long old = cpu.regs[RSP];
                cpu.setSp(old + s);
                try {
                    cpu.writeRm(i, s, i.mem ? cpu.ea(i) : 0, v);
                } catch (CpuSignal e) {
                    cpu.regs[RSP] = old;
                    throw e;
                }
                break;
            }
            case Insn.PUSH_SEG:
                cpu.push(cpu.segSel[i.reg], s);
                break;
            case Insn.POP_SEG: {
                long v = cpu.peek(s, 0);
                Segments.loadSegment(cpu, i.reg, (int) v & 0xFFFF);
                cpu.setSp(cpu.regs[RSP] + s);
                if (i.reg == SS) {
                    cpu.shadow = true;
                    cpu.shadowFresh = true;
                    cpu.movSsShadow = true;
                }
                break;
            }
            case Insn.LEAVE: {
                int ss = cpu.stackSize();
                long v = Memory.readMem(cpu, cpu.linear(SS, cpu.regs[RBP] & mask(ss)), s);
                cpu.setSp(cpu.regs[RBP] + s);
                cpu.writeReg(RBP, s, v);
                break;
            }
            case Insn.CBW:
                if (s == 2) {
                    cpu.writeReg(RAX, 2, sext(cpu.regs[RAX], 1));
                } else if (s == 4) {
                    cpu.writeReg(RAX, 4, sext(cpu.regs[RAX], 2));
                } else {
                    cpu.regs[RAX] = sext(cpu.regs[RAX], 4);
                }
                break;
            case Insn.CWD: {
                boolean neg = (cpu.regs[RAX] & signBit(s)) != 0;
                cpu.writeReg(RDX, s, neg ? -1L : 0);
                break;
            }
            case Insn.SETCC: {
                long v = Flags.cond(cpu, i.sub) ? 1 : 0;
                if (i.mem) {
                    Memory.writeMem(cpu, cpu.ea(i), 1, v);
                } else {
                    cpu.writeReg(i.rm, 1, v);
                }
                break;
            }
            case Insn.CMOVCC: {
                long v = cpu.readRm(i, s);
                cpu.writeReg(i.reg, s, Flags.cond(cpu, i.sub) ? v : cpu.readReg(i.reg, s));
                break;
            }
            case Insn.JCC:
                if (Flags.cond(cpu, i.sub)) {
                    cpu.branch(next + i.imm, s);
                    return;
                }
                break;
            case Insn.JMP_REL:
                cpu.branch(next + i.imm, s);
                return;
            case Insn.CALL_REL: {
                long target = next + i.imm;
                cpu.push(next, s);
                cpu.branch(target, s);
                return;
            }
            case Insn.JMP_RM:
                cpu.branch(cpu.readRm(i, s), s);
                return;
            case Insn.CALL_RM: {
                long target = cpu.readRm(i, s);
                long old = cpu.regs[RSP];
                cpu.push(next, s);
                try {
                    cpu.branch(target, s);
                } catch (CpuSignal e) {
                    cpu.regs[RSP] = old;
                    throw e;
                }
                return;
            }
            case Insn.RET: {
                long target = cpu.peek(s, 0);
                long old = cpu.regs[RSP];
                cpu.setSp(cpu.regs[RSP] + s + i.imm);
                try {
                    cpu.branch(target, s);
                } catch (CpuSignal e) {
                    cpu.regs[RSP] = old;
                    throw e;
                }
                return;
            }
            case Insn.LOOP: {
                int as = i.addrSize;
                long cnt = cpu.readReg(RCX, as);
                boolean take;
                if (i.sub == 3) {
                    take = cnt == 0;
                } else {
                    cnt = (cnt - 1) & mask(as);
                    take = cnt != 0;
                    if (i.sub == 0) {
                        take &= !Flags.cond(cpu, 4);
                    } else if (i.sub == 1) {
                        take &= Flags.cond(cpu, 4);
                    }
                }
                if (take) {
                    cpu.branch(next + i.imm, s);
                }
                if (i.sub != 3) {
                    cpu.writeReg(RCX, as, cnt);
                }
                if (take) {
                    return;
                }
                break;
            }
            case Insn.JMP_FAR:
                ControlFlow.farTransfer(cpu, false, (int) i.imm2, i.imm, s, next);
                return;
            case Insn.CALL_FAR:
            case Insn.JMP_FAR_M: {
                int sel = (int) i.imm2;
                long off = i.imm;
                if (i.mem) {
                    long la = cpu.ea(i);
                    off = Memory.readMem(cpu, la, s);
                    sel = (int) Memory.readMem(cpu, cpu.linear0(la + s), 2);
                }
                ControlFlow.farTransfer(cpu, i.op == Insn.CALL_FAR, sel, off, s, next);
                return;
            }
            case Insn.RET_FAR:
                ControlFlow.farReturn(cpu, s, (int) i.imm);
                return;
            case Insn.ENTER:
                ControlFlow.enter(cpu, s, (int) i.imm, (int) i.imm2 & 31);
                break;
            case Insn.CMPXCHG8B:
                cmpxchg8b(cpu, cpu.ea(i), s);
                break;
            case Insn.POPCNT: {
                long v = cpu.readRm(i, s);
                cpu.writeReg(i.reg, s, Long.bitCount(v));
                Flags.setArith(cpu, v == 0 ? FLAG_ZF : 0);
                break;
            }
            case Insn.RDTSCP: {
                Privilege.checkTsc(cpu);
                long t = SystemRegisters.readTsc(cpu);
                cpu.regs[RAX] = t & 0xFFFFFFFFL;
                cpu.regs[RDX] = t >>> 32;
                cpu.regs[RCX] = cpu.tscAux;
                break;
            }
            case Insn.NOP:
                break;
            case Insn.CLI:
                Privilege.checkIopl(cpu);
                cpu.rflags &= ~FLAG_IF;
                break;
            case Insn.STI:
                Privilege.checkIopl(cpu);
                if ((cpu.rflags & FLAG_IF) == 0) {
                    cpu.shadow = true;
                    cpu.shadowFresh = true;
                    cpu.movSsShadow = false;
                }
                cpu.rflags |= FLAG_IF;
                break;
            case Insn.CLD: cpu.rflags &= ~FLAG_DF; break;
            case Insn.STD: cpu.rflags |= FLAG_DF; break;
            case Insn.CLC: Flags.setSomeArith(cpu, FLAG_CF, 0); break;
            case Insn.STC: Flags.setSomeArith(cpu, FLAG_CF, FLAG_CF); break;
            case Insn.CMC: Flags.setSomeArith(cpu, FLAG_CF, ~Flags.arith(cpu)); break;
            case Insn.HLT:
                Privilege.requireCpl0(cpu);
                cpu.rip = next;
                cpu.halted = true;
                cpu.exitPending = new VcpuExit.HaltExit();
                return;
            case Insn.IN: {
                int port = i.imm2 == 1 ? (int) cpu.regs[RDX] & 0xFFFF : (int) i.imm;
                Privilege.checkIo(cpu, port, s);
                if (s == 4) {
                    cpu.regs[RAX] = 0; // the kernel's IN exit handler zeroes RAX for 32-bit input
                }
                cpu.rip = next;
                cpu.exitPending = new VcpuExit.IoExit(port, s, true, 0);
                return;
            }
            case Insn.OUT: {
                int port = i.imm2 == 1 ? (int) cpu.regs[RDX] & 0xFFFF : (int) i.imm;
                Privilege.checkIo(cpu, port, s);
                cpu.rip = next;
                cpu.exitPending = new VcpuExit.IoExit(port, s, false, (int) (cpu.regs[RAX] & mask(s)));
                return;
            }
            case Insn.LGDT:
            case Insn.LIDT: {
                Privilege.requireCpl0(cpu);
                long la = cpu.ea(i);
                int limit = (int) Memory.readMem(cpu, la, 2);
                long base = Memory.readMem(cpu, cpu.linear0(la + 2), cpu.codeSize == 64 ? 8 : 4);
                if (cpu.codeSize != 64 && s == 2) {
                    base &= 0xFFFFFF;
                }
                if (i.op == Insn.LGDT) {
                    cpu.gdtrBase = base;
                    cpu.gdtrLimit = limit;
                } else {
                    cpu.idtrBase = base;
                    cpu.idtrLimit = limit;
                }
                break;
            }
            case Insn.SGDT:
            case Insn.SIDT: {
                long la = cpu.ea(i);
                boolean g = i.op == Insn.SGDT;
                int bs = cpu.codeSize == 64 ? 8 : 4;
                Memory.writeMem(cpu, cpu.linear0(la + 2), bs, g ? cpu.gdtrBase : cpu.idtrBase);
                Memory.writeMem(cpu, la, 2, g ? cpu.gdtrLimit : cpu.idtrLimit);
                break;
            }
            case Insn.INVLPG:
                // The whole software TLB: the page may belong to a large page of several slots.
                Privilege.requireCpl0(cpu);
                cpu.ea(i);
                cpu.flushLinear();
                break;
            case Insn.MOV_FROM_CR:
                Privilege.requireCpl0(cpu);
                cpu.writeReg(i.rm, s, SystemRegisters.readCr(cpu, i.reg));
                break;
            case Insn.MOV_TO_CR:
                Privilege.requireCpl0(cpu);
                SystemRegisters.writeCr(cpu, i.reg, cpu.readReg(i.rm, s));
                break;
            case Insn.MOV_RM_SREG:
                if (i.mem) {
                    Memory.writeMem(cpu, cpu.ea(i), 2, cpu.segSel[i.reg]);
                } else {
                    cpu.writeReg(i.rm, s, cpu.segSel[i.reg]);
                }
                break;
            case Insn.MOV_SREG_RM: {
                int sel = (int) cpu.readRm(i, 2);
                Segments.loadSegment(cpu, i.reg, sel);
                if (i.reg == SS) {
                    cpu.shadow = true;
                    cpu.shadowFresh = true;
                    cpu.movSsShadow = true;
                }
                break;
            }
            case Insn.IRET:
                ControlFlow.iret(cpu, s);
                return;
            case Insn.STRING:
                if (!StringOps.string(cpu, i, s)) {
                    return; // REP not finished: RIP stays on the instruction
                }
                break;
            case Insn.CPUID:
                if (cpu.cpuidExits) {
                    throw CpuSignal.intercept(CpuSignal.CPUID);
                }
                Cpuid.cpuid(cpu);
                break;
            case Insn.RDTSC: {
                Privilege.checkTsc(cpu);
                long t = SystemRegisters.readTsc(cpu);
                cpu.regs[RAX] = t & 0xFFFFFFFFL;
                cpu.regs[RDX] = t >>> 32;
                break;
            }
            case Insn.RDMSR: {
                Privilege.requireCpl0(cpu);
                long v = SystemRegisters.readMsr(cpu, (int) cpu.regs[RCX]);
                cpu.regs[RAX] = v & 0xFFFFFFFFL;
                cpu.regs[RDX] = v >>> 32;
                break;
            }
            case Insn.WRMSR:
                Privilege.requireCpl0(cpu);
                SystemRegisters.writeMsr(cpu, (int) cpu.regs[RCX], (cpu.regs[RDX] << 32) | (cpu.regs[RAX] & 0xFFFFFFFFL));
                break;
            case Insn.INT:
                cpu.rip = next;
                throw CpuSignal.softInt((int) i.imm);
            case Insn.INT3:
                cpu.rip = next;
                throw CpuSignal.softInt(3);
            case Insn.PUSHF:
                cpu.push(cpu.rflags() & ~(FLAG_RF | FLAG_VM), s);
                break;
            case Insn.POPF: {
                long v = cpu.pop(s);
                long m = ControlFlow.flagsWritable(cpu, s) & ~(FLAG_RF | FLAG_VIF | FLAG_VIP);
                cpu.setRflags((cpu.rflags() & ~m) | (v & m));
                break;
            }
            case Insn.LAHF: {
                long f = cpu.rflags() & 0xD7;
                cpu.writeReg(16, 1, f | FLAG_RESERVED_ONE);
                break;
            }
            case Insn.SAHF: {
                long ah = (cpu.regs[RAX] >>> 8) & 0xFF;
                long which = FLAG_SF | FLAG_ZF | FLAG_AF | FLAG_PF | FLAG_CF;
                Flags.setSomeArith(cpu, which, ah);
                break;
            }
            case Insn.MOV_MOFFS: {
                long la = cpu.linear(i.seg, i.imm);
                if (i.sub == 0) {
                    cpu.writeReg(RAX, s, Memory.readMem(cpu, la, s));
                } else {
                    Memory.writeMem(cpu, la, s, cpu.regs[RAX]);
                }
                break;
            }
            case Insn.BSF:
            case Insn.BSR: {
                long v = cpu.readRm(i, s);
                if (v == 0) {
                    Flags.setSomeArith(cpu, FLAG_ZF, FLAG_ZF);
                } else {
                    long idx = i.op == Insn.BSF ? Long.numberOfTrailingZeros(v) : 63 - Long.numberOfLeadingZeros(v);
                    cpu.writeReg(i.reg, s, idx);
                    Flags.setSomeArith(cpu, FLAG_ZF, 0);
                }
                break;
            }
            case Insn.TZCNT:
            case Insn.LZCNT: {
                long v = cpu.readRm(i, s);
                int bits = s * 8;
                long r;
                if (v == 0) {
                    r = bits;
                } else if (i.op == Insn.TZCNT) {
                    r = Long.numberOfTrailingZeros(v);
                } else {
                    r = Long.numberOfLeadingZeros(v) - (64 - bits);
                }
                cpu.writeReg(i.reg, s, r);
                Flags.setSomeArith(cpu, FLAG_CF | FLAG_ZF, (v == 0 ? FLAG_CF : 0) | (r == 0 ? FLAG_ZF : 0));
                break;
            }
            case Insn.BSWAP:
                if (s == 8) {
                    cpu.regs[i.rm] = Long.reverseBytes(cpu.regs[i.rm]);
                } else if (s == 4) {
                    cpu.writeReg(i.rm, 4, Integer.reverseBytes((int) cpu.regs[i.rm]));
                } else {
                    cpu.writeReg(i.rm, 2, 0);
                }
                break;
            case Insn.BT:
                BitOps.bitTest(cpu, i, s);
                break;
            case Insn.X87:
                X87Bridge.exec(cpu, i);
                break;
            case Insn.FWAIT:
                X87Bridge.fwait(cpu);
                break;
            case Insn.SYSCALL:
                SystemCalls.syscall(cpu, next);
                return;
            case Insn.SYSRET:
                SystemCalls.sysret(cpu, s);
                return;
            case Insn.SYSENTER:
                SystemCalls.sysenter(cpu);
                return;
            case Insn.SYSEXIT:
                SystemCalls.sysexit(cpu, s);
                return;
            case Insn.SWAPGS:
                SystemCalls.swapgs(cpu);
                break;
            case Insn.VMCALL:
                SystemCalls.vmcall(cpu);
                break;
            case Insn.ICEBP:
                cpu.rip = next;
                throw CpuSignal.icebp();
            case Insn.MOV_FROM_DR:
                Privilege.requireCpl0(cpu);
                cpu.writeReg(i.rm, s, Debug.readDr(cpu, i.reg));
                break;
            case Insn.MOV_TO_DR:
                Privilege.requireCpl0(cpu);
                Debug.writeDr(cpu, i.reg, cpu.readReg(i.rm, s));
                break;
            case Insn.XLAT: {
                long off = (cpu.readReg(RBX, i.addrSize) + (cpu.regs[RAX] & 0xFF)) & mask(i.addrSize);
                cpu.writeReg(RAX, 1, Memory.readMem(cpu, cpu.linear(i.seg, off), 1));
                break;
            }
            case Insn.LAR:
            case Insn.LSL:
            case Insn.VERR:
            case Insn.VERW:
                Privilege.probe(cpu, i, s);
                break;
            case Insn.SLDT:
            case Insn.STR: {
                Privilege.requireProtected(cpu);
                int sel = i.op == Insn.SLDT ? cpu.ldtrSel : cpu.trSel;
                if (i.mem) {
                    Memory.writeMem(cpu, cpu.ea(i), 2, sel);
                } else {
                    cpu.writeReg(i.rm, s, sel);
                }
                break;
            }
            case Insn.LLDT:
            case Insn.LTR: {
                Privilege.requireProtected(cpu);
                Privilege.requireCpl0(cpu);
                int sel = (int) cpu.readRm(i, 2);
                if (i.op == Insn.LLDT) {
                    Segments.lldt(cpu, sel);
                } else {
                    Segments.ltr(cpu, sel);
                }
                break;
            }
            case Insn.SMSW: {
                long v = SystemRegisters.readCr(cpu, 0);
                if (i.mem) {
                    Memory.writeMem(cpu, cpu.ea(i), 2, v);
                } else {
                    cpu.writeReg(i.rm, s, v);
                }
                break;
            }
            case Insn.LMSW: {
                Privilege.requireCpl0(cpu);
                long v = cpu.readRm(i, 2);
                long cr0 = SystemRegisters.readCr(cpu, 0);
                // Loads MP, EM, TS and PE; PE can be set but not cleared.
                SystemRegisters.writeCr(cpu, 0, (cr0 & ~0xEL) | (v & 0xF) | (cr0 & 1));
                break;
            }
            case Insn.CLTS:
                Privilege.requireCpl0(cpu);
                cpu.cr0 &= ~8L;
                cpu.cr0Shadow &= ~8L;
                break;
            case Insn.WBINVD:
                Privilege.requireCpl0(cpu);
                break;
            case Insn.STAC:
            case Insn.CLAC:
                if (cpu.cpl > 0) {
                    throw CpuSignal.fault(6);
                }
                if (i.op == Insn.STAC) {
                    cpu.rflags |= FLAG_AC;
                } else {
                    cpu.rflags &= ~FLAG_AC;
                }
                break;
            case Insn.SSE:
                cpu.sse.exec(i, i.mem ? cpu.ea(i) : 0);
                break;
            case Insn.XGETBV:
                ExtendedState.xgetbv(cpu);
                break;
            case Insn.XSETBV:
                ExtendedState.xsetbv(cpu);
                break;
            case Insn.PUSHA: {
                // EAX, ECX, EDX, EBX, the ESP before the first push, EBP, ESI, EDI
                long old = cpu.regs[RSP];
                try {
                    for (int r = 0; r < 8; r++) {
                        cpu.push(r == RSP ? old : cpu.regs[r], s);
                    }
                } catch (CpuSignal e) {
                    cpu.regs[RSP] = old;
                    throw e;
                }
                break;
            }
            case Insn.POPA: {
                long[] v = new long[8];
                for (int r = 7; r >= 0; r--) {
                    v[r] = cpu.peek(s, (7 - r) * s);
                }
                for (int r = 0; r < 8; r++) {
                    if (r != RSP) {
                        cpu.writeReg(r, s, v[r]);
                    }
                }
                cpu.setSp(cpu.regs[RSP] + 8L * s);
                break;
            }
            case Insn.UD:
                throw CpuSignal.fault(6);
            case Insn.GP_TOO_LONG:
                throw CpuSignal.fault(13, 0);
            default:
                throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED, "unsupported instruction at rip 0x"
                        + Long.toHexString(cpu.rip) + ", bytes " + hex(i.bytes));
        }
        cpu.rip = next;
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }

    /**
     * CMPXCHG8B (size 8) / CMPXCHG16B (size 16, #GP(0) unless 16-byte aligned): compares
     * EDX:EAX (RDX:RAX) with the memory operand; equal → stores ECX:EBX (RCX:RBX), ZF = 1;
     * different → loads the operand into EDX:EAX (RDX:RAX), writes it back unchanged, ZF = 0.
     * Other flags are unchanged.
     */
    static void cmpxchg8b(X86Cpu cpu, long la, int size) {
        if (size == 16) {
            if ((la & 15) != 0) {
                throw CpuSignal.fault(13, 0);
            }
            long lo = Memory.readMem(cpu, la, 8);
            long hi = Memory.readMem(cpu, la + 8, 8);
            boolean eq = lo == cpu.regs[RAX] && hi == cpu.regs[RDX];
            Memory.writeMem(cpu, la, 8, eq ? cpu.regs[RBX] : lo);
            Memory.writeMem(cpu, la + 8, 8, eq ? cpu.regs[RCX] : hi);
            if (!eq) {
                cpu.regs[RAX] = lo;
                cpu.regs[RDX] = hi;
            }
            Flags.setSomeArith(cpu, FLAG_ZF, eq ? FLAG_ZF : 0);
            return;
        }
        long v = Memory.readMem(cpu, la, 8);
        long cmp = (cpu.regs[RDX] << 32) | (cpu.regs[RAX] & 0xFFFFFFFFL);
        boolean eq = v == cmp;
        Memory.writeMem(cpu, la, 8, eq ? (cpu.regs[RCX] << 32) | (cpu.regs[RBX] & 0xFFFFFFFFL) : v);
        if (!eq) {
            cpu.writeReg(RAX, 4, v);
            cpu.writeReg(RDX, 4, v >>> 32);
        }
        Flags.setSomeArith(cpu, FLAG_ZF, eq ? FLAG_ZF : 0);
    }
}
