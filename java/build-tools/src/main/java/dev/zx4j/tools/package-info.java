/**
 * Build tools: {@code SurfaceCheck} holds the Java surface, the JavaCPP class and the C header to
 * the syscall definitions under {@code fidl/}. Run by the build, not used at run time.
 */
package dev.zx4j.tools;
