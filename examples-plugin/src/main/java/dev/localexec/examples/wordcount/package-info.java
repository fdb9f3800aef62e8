/**
 * An example third-party task plug-in, {@code word_count_task}: it depends on {@code
 * local-exec-api} alone, ships its payload schema as a resource and lists itself in {@code
 * META-INF/services}, so dropping its jar into the plane's plug-in folder (or class path) is enough
 * for the plane to run it.
 */
package dev.localexec.examples.wordcount;
