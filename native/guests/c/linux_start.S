/* Linux x86-64 user-mode entry for the qemu-user/native timing builds of the same objects:
 * passes the initial stack pointer (argc, argv...) to linux_main. */
        .text
        .globl _start
_start:
        mov %rsp, %rdi
        and $-16, %rsp
        call linux_main
        ud2

        .section .note.GNU-stack,"",@progbits
