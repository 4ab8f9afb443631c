/*
 * kvm-oracle: runs a batch of x86-64 user-mode code on the host CPU through /dev/kvm and
 * returns a region of guest memory afterwards. The hardware reference for the differential
 * tests of the software VCPU (dev.zx4j.sim.x86.X86Cpu).
 *
 * The VCPU starts directly at CPL3 in 64-bit long mode (no CPL0 code runs unless the batch
 * faults), so on a nested KVM whose CPL0 is emulated the batch still runs natively.
 *
 * Usage:
 *   kvm-oracle --info        host CPU identification and /dev/kvm state, "key: value" lines
 *   kvm-oracle < batch > result
 *
 * Batch (little-endian):
 *   u32 magic 0x424B585A ("ZXKB"), u32 version 1,
 *   u64 image_gpa, u64 image_len, u64 entry_rip, u64 entry_rsp, u64 out_gpa, u64 out_len,
 *   image_len bytes loaded at image_gpa.
 * The image must lie in [IMAGE_MIN, RAM_SIZE). The batch signals completion by writing to
 * DONE_GVA (not backed by RAM, so the write exits to this program as MMIO).
 *
 * Result (little-endian):
 *   u32 magic 0x524B585A ("ZXKR"), u32 status (0 done, 1 guest exception, 2 other exit),
 *   u32 detail (exception vector, or KVM exit reason), u32 reserved,
 *   u64 fault_rip (status 1: RIP of the faulting instruction), u64 error_code (status 1),
 *   u64 rip, u64 rflags, u64 gprs[16] (RAX..R15) at the exit,
 *   out_len bytes of guest memory from out_gpa.
 *
 * Exit codes: 0 result written (any status); 2 bad batch; 3 /dev/kvm absent or unusable
 * (the reason is on stderr, beginning "unusable:"); 4 a KVM call failed after setup.
 *
 * Fixed guest layout (identity-mapped, every page user-accessible):
 *   0x1000 PML4, 0x2000 PDPT, 0x3000 PD (2 MiB pages covering 0..1 GiB)
 *   0x4000 GDT: null, kernel code 0x08, kernel data 0x10, user data 0x1B, user code 0x23,
 *          64-bit TSS 0x28
 *   0x5000 IDT (256 interrupt gates, DPL 0), 0x6000 exception stubs (16 bytes each),
 *   0x8000 TSS (RSP0 = 0x10000), 0x9000..0x10000 kernel stack
 * An exception stub stores RAX to FAULT_GVA + 8 * vector, which exits as MMIO; the CPU's
 * exception frame on the kernel stack then holds the faulting RIP (and error code).
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define RAM_SIZE   (64ULL << 20)
#define IMAGE_MIN  0x100000ULL
#define DONE_GVA   0x3FF00000ULL
#define FAULT_GVA  0x3FF01000ULL
#define PML4       0x1000
#define PDPT       0x2000
#define PD         0x3000
#define GDT        0x4000
#define IDT        0x5000
#define STUBS      0x6000
#define TSS        0x8000
#define KSTACK_TOP 0x10000

#define BATCH_MAGIC  0x424B585AU
#define RESULT_MAGIC 0x524B585AU

enum { ST_DONE = 0, ST_EXCEPTION = 1, ST_OTHER = 2 };

static void die_unusable(const char *what) {
    fprintf(stderr, "unusable: %s: %s\n", what, strerror(errno));
    exit(3);
}

static void die_kvm(const char *what) {
    fprintf(stderr, "kvm-oracle: %s: %s\n", what, strerror(errno));
    exit(4);
}

static void die_batch(const char *what) {
    fprintf(stderr, "kvm-oracle: bad batch: %s\n", what);
    exit(2);
}

static void put64(uint8_t *mem, uint64_t gpa, uint64_t v) {
    memcpy(mem + gpa, &v, 8);
}

static uint64_t get64(const uint8_t *mem, uint64_t gpa) {
    uint64_t v;
    memcpy(&v, mem + gpa, 8);
    return v;
}

/* A code/data segment descriptor (8 bytes) for a flat segment. */
static uint64_t seg_desc(unsigned type, unsigned dpl, unsigned l, unsigned db) {
    uint64_t d = 0xFFFFULL;                 /* limit 15:0 */
    d |= (uint64_t)(type & 0xF) << 40;
    d |= 1ULL << 44;                        /* S: code/data */
    d |= (uint64_t)(dpl & 3) << 45;
    d |= 1ULL << 47;                        /* present */
    d |= 0xFULL << 48;                      /* limit 19:16 */
    d |= (uint64_t)(l & 1) << 53;
    d |= (uint64_t)(db & 1) << 54;
    d |= 1ULL << 55;                        /* granularity 4 KiB */
    return d;
}

static void build_system_tables(uint8_t *mem) {
    /* identity map of the first 1 GiB with 2 MiB pages: P | RW | US (| PS) */
    put64(mem, PML4, PDPT | 0x7);
    put64(mem, PDPT, PD | 0x7);
    for (uint64_t k = 0; k < 512; k++) {
        put64(mem, PD + 8 * k, (k << 21) | 0x87);
    }
    /* GDT */
    put64(mem, GDT + 0x00, 0);
    put64(mem, GDT + 0x08, seg_desc(0xB, 0, 1, 0));  /* kernel code, 64-bit */
    put64(mem, GDT + 0x10, seg_desc(0x3, 0, 0, 1));  /* kernel data */
    put64(mem, GDT + 0x18, seg_desc(0x3, 3, 0, 1));  /* user data */
    put64(mem, GDT + 0x20, seg_desc(0xB, 3, 1, 0));  /* user code, 64-bit */
    {
        uint64_t base = TSS, limit = 0x67;
        uint64_t lo = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x9ULL << 40) | (1ULL << 47)
                      | (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
        put64(mem, GDT + 0x28, lo);
        put64(mem, GDT + 0x30, base >> 32);
    }
    /* TSS: RSP0 at offset 4 */
    memset(mem + TSS, 0, 0x68);
    put64(mem, TSS + 4, KSTACK_TOP);
    mem[TSS + 0x66] = 0x68; /* I/O map base beyond the limit: no I/O bitmap */
    /* IDT and stubs: stub v is "mov [FAULT_GVA + 8 v], rax; jmp $" */
    for (unsigned v = 0; v < 256; v++) {
        uint64_t stub = STUBS + 16ULL * v;
        uint8_t *s = mem + stub;
        uint32_t target = (uint32_t)(FAULT_GVA + 8ULL * v);
        s[0] = 0x48; s[1] = 0x89; s[2] = 0x04; s[3] = 0x25;
        memcpy(s + 4, &target, 4);
        s[8] = 0xEB; s[9] = 0xFE;
        uint64_t lo = (stub & 0xFFFF) | (0x08ULL << 16) | (0xEULL << 40) | (1ULL << 47)
                      | (((stub >> 16) & 0xFFFF) << 48);
        put64(mem, IDT + 16ULL * v, lo);
        put64(mem, IDT + 16ULL * v + 8, stub >> 32);
    }
}

static void set_seg(struct kvm_segment *s, uint16_t sel, unsigned type, unsigned dpl, unsigned l,
                    unsigned db) {
    memset(s, 0, sizeof *s);
    s->base = 0;
    s->limit = 0xFFFFFFFF;
    s->selector = sel;
    s->type = type;
    s->present = 1;
    s->dpl = dpl;
    s->db = db;
    s->s = 1;
    s->l = l;
    s->g = 1;
}

static int read_full(int fd, void *buf, size_t n) {
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static void write_full(int fd, const void *buf, size_t n) {
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t r = write(fd, p, n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            die_kvm("write result");
        }
        p += r;
        n -= (size_t)r;
    }
}

static void info(void) {
    unsigned a, b, c, d;
    char vendor[13] = {0};
    char brand[49] = {0};
    __cpuid(0, a, b, c, d);
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    unsigned max = a;
    printf("vendor: %s\n", vendor);
    __cpuid(0x80000000, a, b, c, d);
    unsigned maxext = a;
    if (maxext >= 0x80000004) {
        unsigned *w = (unsigned *)brand;
        for (unsigned k = 0; k < 3; k++) {
            __cpuid(0x80000002 + k, w[4 * k], w[4 * k + 1], w[4 * k + 2], w[4 * k + 3]);
        }
    }
    char *bp = brand;
    while (*bp == ' ') {
        bp++;
    }
    printf("brand: %s\n", bp);
    __cpuid(1, a, b, c, d);
    unsigned family = (a >> 8) & 0xF, model = (a >> 4) & 0xF, stepping = a & 0xF;
    if (family == 0xF) {
        family += (a >> 20) & 0xFF;
    }
    if (family >= 6) {
        model |= ((a >> 16) & 0xF) << 4;
    }
    printf("family: %u\nmodel: %u\nstepping: %u\n", family, model, stepping);
    printf("popcnt: %u\n", (c >> 23) & 1);
    unsigned bmi1 = 0, bmi2 = 0;
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        bmi1 = (b >> 3) & 1;
        bmi2 = (b >> 8) & 1;
    }
    printf("bmi1: %u\nbmi2: %u\n", bmi1, bmi2);
    unsigned lzcnt = 0, lahf = 0;
    if (maxext >= 0x80000001) {
        __cpuid(0x80000001, a, b, c, d);
        lzcnt = (c >> 5) & 1;
        lahf = c & 1;
    }
    printf("lzcnt: %u\nlahf64: %u\n", lzcnt, lahf);
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        printf("kvm: unavailable (/dev/kvm: %s)\n", strerror(errno));
    } else {
        int api = ioctl(fd, KVM_GET_API_VERSION, 0);
        if (api == KVM_API_VERSION) {
            printf("kvm: api %d\n", api);
        } else {
            printf("kvm: unavailable (/dev/kvm: KVM_GET_API_VERSION gave %d)\n", api);
        }
        close(fd);
    }
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--info") == 0) {
        info();
        return 0;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: kvm-oracle [--info] < batch > result\n");
        return 2;
    }
    uint32_t hdr32[2];
    uint64_t hdr[6];
    if (read_full(0, hdr32, sizeof hdr32) || read_full(0, hdr, sizeof hdr)) {
        die_batch("short header");
    }
    if (hdr32[0] != BATCH_MAGIC || hdr32[1] != 1) {
        die_batch("magic or version");
    }
    uint64_t image_gpa = hdr[0], image_len = hdr[1], entry_rip = hdr[2], entry_rsp = hdr[3];
    uint64_t out_gpa = hdr[4], out_len = hdr[5];
    if (image_gpa < IMAGE_MIN || image_len > RAM_SIZE || image_gpa > RAM_SIZE - image_len
        || out_gpa < IMAGE_MIN || out_len > RAM_SIZE || out_gpa > RAM_SIZE - out_len) {
        die_batch("image or output region outside guest RAM");
    }

    uint8_t *mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS
                        | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) {
        die_kvm("mmap guest memory");
    }
    if (read_full(0, mem + image_gpa, image_len)) {
        die_batch("short image");
    }
    build_system_tables(mem);

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        die_unusable("open /dev/kvm");
    }
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        errno = EINVAL;
        die_unusable("KVM_GET_API_VERSION");
    }
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) {
        die_unusable("KVM_CREATE_VM");
    }
    struct kvm_userspace_memory_region region = {
        .slot = 0, .flags = 0, .guest_phys_addr = 0, .memory_size = RAM_SIZE,
        .userspace_addr = (uint64_t)(uintptr_t)mem,
    };
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        die_unusable("KVM_SET_USER_MEMORY_REGION");
    }
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) {
        die_unusable("KVM_CREATE_VCPU");
    }
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run)) {
        die_unusable("KVM_GET_VCPU_MMAP_SIZE");
    }
    struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) {
        die_unusable("mmap kvm_run");
    }

    /* CPUID as the host KVM supports it (long mode must be advertised for EFER.LME). */
    {
        int n = 256;
        struct kvm_cpuid2 *cpuid = calloc(1, sizeof *cpuid + n * sizeof(struct kvm_cpuid_entry2));
        cpuid->nent = (uint32_t)n;
        if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
            die_unusable("KVM_GET_SUPPORTED_CPUID");
        }
        if (ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0) {
            die_unusable("KVM_SET_CPUID2");
        }
        free(cpuid);
    }

    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) {
        die_unusable("KVM_GET_SREGS");
    }
    set_seg(&sregs.cs, 0x23, 0xB, 3, 1, 0);
    set_seg(&sregs.ss, 0x1B, 0x3, 3, 0, 1);
    set_seg(&sregs.ds, 0x1B, 0x3, 3, 0, 1);
    set_seg(&sregs.es, 0x1B, 0x3, 3, 0, 1);
    set_seg(&sregs.fs, 0x1B, 0x3, 3, 0, 1);
    set_seg(&sregs.gs, 0x1B, 0x3, 3, 0, 1);
    memset(&sregs.tr, 0, sizeof sregs.tr);
    sregs.tr.base = TSS;
    sregs.tr.limit = 0x67;
    sregs.tr.selector = 0x28;
    sregs.tr.type = 0xB;
    sregs.tr.present = 1;
    memset(&sregs.ldt, 0, sizeof sregs.ldt);
    sregs.ldt.type = 0x2;
    sregs.ldt.unusable = 1;
    sregs.gdt.base = GDT;
    sregs.gdt.limit = 0x37;
    sregs.idt.base = IDT;
    sregs.idt.limit = 0xFFF;
    sregs.cr0 = 0x80010033ULL;  /* PG | WP | NE | ET | MP | PE (no AM: no alignment checks) */
    sregs.cr3 = PML4;
    sregs.cr4 = 0x20;           /* PAE */
    sregs.efer = 0x500;         /* LMA | LME */
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) {
        die_unusable("KVM_SET_SREGS (CPL3 long mode)");
    }
    struct kvm_regs regs;
    memset(&regs, 0, sizeof regs);
    regs.rip = entry_rip;
    regs.rsp = entry_rsp;
    regs.rflags = 0x2;
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
        die_unusable("KVM_SET_REGS");
    }

    alarm(60); /* a batch runs in milliseconds; never hang a build */
    uint32_t status, detail = 0;
    uint64_t fault_rip = 0, error_code = 0;
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            die_kvm("KVM_RUN");
        }
        if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write
            && run->mmio.phys_addr == DONE_GVA) {
            status = ST_DONE;
            break;
        }
        if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write
            && run->mmio.phys_addr >= FAULT_GVA && run->mmio.phys_addr < FAULT_GVA + 8 * 256) {
            status = ST_EXCEPTION;
            detail = (uint32_t)((run->mmio.phys_addr - FAULT_GVA) / 8);
            /* frame: [error code,] RIP, CS, RFLAGS, RSP, SS below the 16-byte aligned RSP0 */
            fault_rip = get64(mem, KSTACK_TOP - 40);
            error_code = get64(mem, KSTACK_TOP - 48);
            break;
        }
        status = ST_OTHER;
        detail = run->exit_reason;
        break;
    }
    alarm(0);
    if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0) {
        die_kvm("KVM_GET_REGS");
    }

    uint32_t rh[4] = {RESULT_MAGIC, status, detail, 0};
    uint64_t r64[20] = {fault_rip, error_code, regs.rip, regs.rflags,
                        regs.rax, regs.rcx, regs.rdx, regs.rbx, regs.rsp, regs.rbp, regs.rsi,
                        regs.rdi, regs.r8, regs.r9, regs.r10, regs.r11, regs.r12, regs.r13,
                        regs.r14, regs.r15};
    write_full(1, rh, sizeof rh);
    write_full(1, r64, sizeof r64);
    write_full(1, mem + out_gpa, out_len);
    return 0;
}
