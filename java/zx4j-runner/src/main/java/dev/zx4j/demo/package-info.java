/**
 * Small programs showing the typed API on the simulated kernel: interrupts and ports, and a
 * button driver on the async loop. Examples, not API.
 */
package dev.zx4j.demo;
