# Page walk through 2 MiB and 4 KiB pages set up by the test at CR3 = 0x10000, then TLB
# behaviour: a changed PTE is not seen until INVLPG.
# zx4j-load-address: 0x2000
        .text
        .code64
        .globl _start, second
_start:
        mov 0x200010, %rax      # 2 MiB page: VA 0x200000 -> PA 0x400000
        mov 0x400020, %rbx      # 4 KiB page: VA 0x400000 -> PA 0x300000
        movq $0x77, 0x400028
        hlt
second:
        mov 0x400020, %rcx      # stale TLB entry: still the old frame
        invlpg 0x400000
        mov 0x400020, %rdx      # new frame
        hlt
