/** A small program that embeds the plane: the README's embedding snippet, runnable. */
package dev.localexec.examples.embed;
