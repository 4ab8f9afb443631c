/**
 * An async dispatcher in the spirit of Fuchsia's async-loop: {@link dev.zx4j.async.AsyncLoop}
 * drains one port and runs wait handlers, tasks at deadlines and interrupt handlers.
 */
package dev.zx4j.async;
