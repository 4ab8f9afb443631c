/**
 * The guest runner ({@code zx4j-run}): boots an x86-64 guest image on the simulated kernel with a
 * UART, a timer interrupt, a doorbell and a control event, prints its output and a summary, and
 * ends every failure with one line and an exit code. Uses picocli for its command line.
 */
package dev.zx4j.runner;
